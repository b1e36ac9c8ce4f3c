import { useEffect, useState } from 'react';

/** Whether the window has focus and is visible: messages count as read only then. */
export function useWindowFocus(): boolean {
  const [focused, setFocused] = useState(() => document.hasFocus() && document.visibilityState !== 'hidden');
  useEffect(() => {
    const update = () => setFocused(document.hasFocus() && document.visibilityState !== 'hidden');
    window.addEventListener('focus', update);
    window.addEventListener('blur', update);
    document.addEventListener('visibilitychange', update);
    return () => {
      window.removeEventListener('focus', update);
      window.removeEventListener('blur', update);
      document.removeEventListener('visibilitychange', update);
    };
  }, []);
  return focused;
}
