// An OpenID Connect provider on loopback for StudioOS's sign-in-provider tests (tests/unit/test_oidc.py).
//
//   node server.mjs PORT CLIENT_ID CLIENT_SECRET REDIRECT_URI
//
// oauth2-mock-server supplies the provider's signing key (RS256, generated at start), its JWKS, its
// discovery document and the signing of every token. Its own /authorize and /token accept almost
// anything, so this script puts strict ones in front (moved out of the way under /mock/...):
// - /authorize knows one client and one redirect URI (anything else: 400, never a redirect), wants
//   response_type=code, the openid scope and a PKCE S256 challenge, and redirects straight back
//   with a code (no login page: the "person" signing in is the test's scenario, see below);
// - /token authenticates the client (client_secret_basic or client_secret_post), takes each code
//   once, for the redirect URI it was issued for, with the verifier of its challenge, and answers
//   RFC 6749 errors (invalid_client, invalid_grant) otherwise;
// - /userinfo answers for the access tokens it issued.
//
// A test chooses who signs in and what goes wrong by POSTing JSON to /_test/scenario before it
// starts a trip; the scenario in force when /authorize issues a code is the one that code gets:
//   sub, email, email_verified, name     the person's claims
//   email_in_userinfo: true              email claims only at /userinfo, not in the ID token
//   deny: true                           the person cancels: /authorize answers error=access_denied
//   token_error: "invalid_grant"         /token refuses the code
//   token_endpoint_down: true            /token drops the connection
//   id_token: { aud, iss, nonce, expired: true, tamper: true, alg_none: true, stale_auth: true }
//                                        how the ID token is wrong (audience, issuer, nonce, expiry,
//                                        a payload altered after signing, unsigned, an old auth_time)
import { createHash, randomUUID } from "node:crypto";
import { OAuth2Server } from "oauth2-mock-server";

const [port, clientId, clientSecret, redirectUri] = process.argv.slice(2);
if (!port || !clientId || !clientSecret || !redirectUri) {
  console.error("usage: node server.mjs PORT CLIENT_ID CLIENT_SECRET REDIRECT_URI");
  process.exit(2);
}
const base = `http://127.0.0.1:${port}`;

const server = new OAuth2Server(undefined, undefined, {
  endpoints: { authorize: "/mock/authorize", token: "/mock/token", userinfo: "/mock/userinfo" },
});
const service = server.service;
server.issuer.url = base;
await server.issuer.keys.generate("RS256");

const DEFAULT_SCENARIO = { sub: "person-1" };
let scenario = { ...DEFAULT_SCENARIO };
const codes = new Map(); // code -> what /authorize was asked, and the scenario then in force
const accessTokens = new Map(); // access token -> scenario (for /userinfo)

const now = () => Math.floor(Date.now() / 1000);
const b64url = (value) => Buffer.from(value).toString("base64url");
const s256 = (verifier) => createHash("sha256").update(verifier).digest("base64url");

function sendJson(res, status, body, headers = {}) {
  const content = JSON.stringify(body);
  res.writeHead(status, {
    "Content-Type": "application/json; charset=utf-8",
    "Cache-Control": "no-store",
    ...headers,
  });
  res.end(content);
}

function redirect(res, url) {
  res.writeHead(302, { Location: url.href });
  res.end();
}

function one(value) {
  return Array.isArray(value) ? undefined : value;
}

service.on("beforeWellKnownOpenIdConfiguration", (response) => {
  Object.assign(response.body, {
    authorization_endpoint: `${base}/authorize`,
    token_endpoint: `${base}/token`,
    userinfo_endpoint: `${base}/userinfo`,
    token_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post"],
    grant_types_supported: ["authorization_code"],
    scopes_supported: ["openid", "email", "profile"],
    claims_supported: ["sub", "email", "email_verified", "name", "auth_time", "nonce"],
    code_challenge_methods_supported: ["S256"],
  });
});

service.addRoute("POST", "/_test/scenario", (req, res) => {
  scenario = { ...DEFAULT_SCENARIO, ...(req.body ?? {}) };
  sendJson(res, 200, scenario);
});

service.addRoute("GET", "/authorize", (req, res) => {
  const q = req.query;
  // An unknown client or redirect URI gets an error page: redirecting would make this an open
  // redirector (RFC 6749, 4.1.2.1).
  if (one(q.client_id) !== clientId) return sendJson(res, 400, { error: "invalid_client" });
  if (one(q.redirect_uri) !== redirectUri) return sendJson(res, 400, { error: "invalid_redirect_uri" });
  const back = new URL(redirectUri);
  const state = one(q.state);
  if (state) back.searchParams.set("state", state);
  const refuse = (error, description) => {
    back.searchParams.set("error", error);
    if (description) back.searchParams.set("error_description", description);
    redirect(res, back);
  };
  if (one(q.response_type) !== "code") return refuse("unsupported_response_type");
  if (!(one(q.scope) ?? "").split(" ").includes("openid")) return refuse("invalid_scope", "openid is required");
  if (!one(q.code_challenge) || one(q.code_challenge_method) !== "S256") {
    return refuse("invalid_request", "PKCE with S256 is required");
  }
  if (scenario.deny) return refuse("access_denied", "The person cancelled");
  const code = randomUUID();
  codes.set(code, {
    challenge: one(q.code_challenge),
    nonce: one(q.nonce),
    maxAge: one(q.max_age),
    scenario: structuredClone(scenario),
    used: false,
  });
  back.searchParams.set("code", code);
  redirect(res, back);
});

function clientOf(req) {
  const header = req.headers.authorization ?? "";
  if (header.startsWith("Basic ")) {
    const decoded = Buffer.from(header.slice(6), "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    if (colon < 0) return {};
    // client_secret_basic form-encodes both parts before joining them (RFC 6749, 2.3.1).
    return {
      id: decodeURIComponent(decoded.slice(0, colon)),
      secret: decodeURIComponent(decoded.slice(colon + 1)),
    };
  }
  return { id: one(req.body?.client_id), secret: one(req.body?.client_secret) };
}

async function idToken(entry, accessToken) {
  const s = entry.scenario;
  const wrong = s.id_token ?? {};
  const halfHash = createHash("sha256").update(accessToken).digest().subarray(0, 16);
  const token = await server.issuer.buildToken({
    scopesOrTransform: (_header, payload) => {
      Object.assign(payload, { sub: s.sub, aud: clientId, at_hash: b64url(halfHash) });
      if (entry.nonce !== undefined) payload.nonce = entry.nonce;
      if (entry.maxAge !== undefined) payload.auth_time = wrong.stale_auth ? now() - 3600 : now();
      if (!s.email_in_userinfo) {
        for (const claim of ["email", "email_verified", "name"]) {
          if (s[claim] !== undefined) payload[claim] = s[claim];
        }
      }
      if (wrong.aud !== undefined) payload.aud = wrong.aud;
      if (wrong.iss !== undefined) payload.iss = wrong.iss;
      if (wrong.nonce !== undefined) payload.nonce = wrong.nonce;
      if (wrong.expired) {
        payload.iat = now() - 7200;
        payload.nbf = payload.iat;
        payload.exp = now() - 3600;
      }
    },
  });
  const [header, payload, signature] = token.split(".");
  if (wrong.tamper) {
    // The claims are changed after signing: the signature no longer matches them.
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
    claims.sub = `${claims.sub}-altered`;
    return `${header}.${b64url(JSON.stringify(claims))}.${signature}`;
  }
  if (wrong.alg_none) {
    return `${b64url(JSON.stringify({ alg: "none", typ: "JWT" }))}.${payload}.`;
  }
  return token;
}

service.addRoute("POST", "/token", async (req, res) => {
  const body = req.body ?? {};
  const client = clientOf(req);
  if (client.id !== clientId || client.secret !== clientSecret) {
    return sendJson(res, 401, { error: "invalid_client" }, { "WWW-Authenticate": 'Basic realm="test"' });
  }
  if (one(body.grant_type) !== "authorization_code") {
    return sendJson(res, 400, { error: "unsupported_grant_type" });
  }
  const code = one(body.code);
  const entry = code ? codes.get(code) : undefined;
  if (entry?.scenario.token_endpoint_down) {
    req.socket.destroy();
    return;
  }
  if (entry === undefined || entry.used) {
    return sendJson(res, 400, { error: "invalid_grant", error_description: "unknown or used code" });
  }
  // A code is spent by its first presentation, right or wrong (RFC 6749, 4.1.2).
  entry.used = true;
  if (one(body.redirect_uri) !== redirectUri) {
    return sendJson(res, 400, { error: "invalid_grant", error_description: "redirect_uri mismatch" });
  }
  const verifier = one(body.code_verifier);
  if (!verifier || !/^[A-Za-z0-9\-._~]{43,128}$/.test(verifier) || s256(verifier) !== entry.challenge) {
    return sendJson(res, 400, { error: "invalid_grant", error_description: "PKCE verification failed" });
  }
  if (entry.scenario.token_error) {
    return sendJson(res, 400, { error: entry.scenario.token_error });
  }
  const accessToken = await server.issuer.buildToken({
    scopesOrTransform: (_header, payload) => {
      Object.assign(payload, { sub: entry.scenario.sub, scope: "openid email profile", client_id: clientId });
    },
  });
  accessTokens.set(accessToken, entry.scenario);
  sendJson(res, 200, {
    access_token: accessToken,
    token_type: "Bearer",
    expires_in: 3600,
    scope: "openid email profile",
    id_token: await idToken(entry, accessToken),
  });
});

service.addRoute("GET", "/userinfo", (req, res) => {
  const header = req.headers.authorization ?? "";
  const s = header.startsWith("Bearer ") ? accessTokens.get(header.slice(7)) : undefined;
  if (s === undefined) {
    return sendJson(res, 401, { error: "invalid_token" }, { "WWW-Authenticate": 'Bearer error="invalid_token"' });
  }
  const claims = { sub: s.sub };
  for (const claim of ["email", "email_verified", "name"]) {
    if (s[claim] !== undefined) claims[claim] = s[claim];
  }
  sendJson(res, 200, claims);
});

await server.start(Number(port), "127.0.0.1");
console.log(`oidc provider listening on ${base}`);

// Stopped by the test run: nothing to finish (waiting for idle keep-alive connections would only
// hold up the tests' teardown). The run holds our stdin open: when it ends, however it ends, so do we.
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => process.exit(0));
}
process.stdin.on("end", () => process.exit(0));
process.stdin.on("error", () => process.exit(0));
process.stdin.resume();
