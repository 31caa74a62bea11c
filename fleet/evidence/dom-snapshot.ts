// A DOM snapshot of a failed user's page, for the run folder: the document as it is rendered now,
// safe to open from a report. What page.content() alone would not be:
//   - inert: scripts, inline handlers, javascript: URLs, frames and <base> are removed, and a
//     Content-Security-Policy meta forbids every script and every fetch, so opening the file runs
//     none of the app and never reaches the target (or anything else);
//   - styled offline: the page's readable stylesheets are inlined as one <style>;
//   - with form state: live input values are copied into attributes.
// Kept as a string because the Node tsconfig has no DOM lib (as clients/browser/page-scripts.ts).

/** Content-Security-Policy of the snapshot: inline styles and data: images only. */
export const snapshotCsp = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:";

/** An expression for page.evaluate that returns the inert snapshot as an HTML string. */
export function domSnapshotScript(maxCssChars = 1_000_000): string {
  return `(() => {
  const live = document.querySelectorAll('input, textarea, select');
  const root = document.documentElement.cloneNode(true);
  const copies = root.querySelectorAll('input, textarea, select');
  live.forEach((el, i) => {
    const copy = copies[i];
    if (!copy) return;
    if (el.tagName === 'TEXTAREA') copy.textContent = el.value;
    else if (el.tagName === 'SELECT') copy.querySelectorAll('option').forEach((o, j) => { if (el.options[j] && el.options[j].selected) o.setAttribute('selected', ''); });
    else if (el.type === 'checkbox' || el.type === 'radio') { if (el.checked) copy.setAttribute('checked', ''); else copy.removeAttribute('checked'); }
    else if (el.type !== 'password' && el.type !== 'file') copy.setAttribute('value', el.value);
  });
  root.querySelectorAll('script, noscript, iframe, frame, object, embed, base, link, meta[http-equiv], style').forEach((el) => el.remove());
  for (const el of root.querySelectorAll('*')) {
    for (const attr of Array.from(el.attributes)) {
      const name = attr.name.toLowerCase();
      if (name.startsWith('on') || (/^(href|src|action|formaction|xlink:href)$/.test(name) && /^\\s*(javascript|vbscript):/i.test(attr.value))) el.removeAttribute(attr.name);
    }
  }
  let css = '';
  for (const sheet of Array.from(document.styleSheets)) {
    try { css += Array.from(sheet.cssRules).map((rule) => rule.cssText).join('\\n') + '\\n'; } catch (e) { /* a cross-origin sheet cannot be read */ }
  }
  let head = root.querySelector('head');
  if (!head) { head = document.createElement('head'); root.insertBefore(head, root.firstChild); }
  const csp = document.createElement('meta');
  csp.setAttribute('http-equiv', 'Content-Security-Policy');
  csp.setAttribute('content', ${JSON.stringify(snapshotCsp)});
  head.insertBefore(csp, head.firstChild);
  const style = document.createElement('style');
  style.textContent = css.length > ${maxCssChars} ? css.slice(0, ${maxCssChars}) : css;
  head.appendChild(style);
  return '<!DOCTYPE html>\\n' + root.outerHTML;
})()`;
}
