import { useEffect } from "react";

const DONE = "studioos_navigated";

// A full page load, or a form POST, that the backend asked for (studioos/ui/navigator.py).
// Reflex's own way (rx.call_script) runs the script through eval, which the app's
// Content-Security-Policy forbids; this does the same two things without it.
// Each request carries a fresh nonce. The state outlives the page load it causes (the next page
// hydrates it again), so the tab remembers the last nonce it acted on and never acts twice.
export function HardNavigator({ url, method, fields, nonce }) {
  useEffect(() => {
    if (!nonce || !url || window.sessionStorage.getItem(DONE) === nonce) {
      return;
    }
    window.sessionStorage.setItem(DONE, nonce);
    if (method === "post") {
      const form = document.createElement("form");
      form.method = "post";
      form.action = url;
      for (const [name, value] of Object.entries(fields || {})) {
        const input = document.createElement("input");
        input.type = "hidden";
        input.name = name;
        input.value = value;
        form.appendChild(input);
      }
      document.body.appendChild(form);
      form.submit();
    } else {
      window.location.assign(url);
    }
  }, [nonce]);
  return null;
}
