import { useEffect } from "react";
import { toast } from "sonner";

const SHOWN = "studioos_toasted";

// A toast that an event handler asked for (studioos/ui/toast.py). Reflex's own rx.toast from the
// backend runs through eval, which the app's Content-Security-Policy forbids; this calls the same
// toaster (sonner) directly. Like the navigator, it remembers the last nonce it showed, so the
// state hydrated again after a page load shows nothing twice.
export function ToastRelay({ level, message, nonce }) {
  useEffect(() => {
    if (!nonce || !message || window.sessionStorage.getItem(SHOWN) === nonce) {
      return;
    }
    window.sessionStorage.setItem(SHOWN, nonce);
    const show = typeof toast[level] === "function" ? toast[level] : toast;
    show(message);
  }, [nonce]);
  return null;
}
