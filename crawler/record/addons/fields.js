// The fields of this frame a citizen could type into, for the form probe: visible, enabled,
// free text; never passwords, files, buttons or choices. Each with what names it and a selector.
// Submitting is refused in this frame from now on: the probe types, it never sends a form.
(() => {
  if (!window.__cpraudit_no_submit) {
    window.__cpraudit_no_submit = true;
    addEventListener("submit", (event) => event.preventDefault(), true);
  }
  const TEXT = new Set(["", "text", "search", "email", "tel", "url", "number"]);
  const words = (el) => {
    const parts = [];
    for (const label of el.labels || []) parts.push(label.innerText);
    const by = el.getAttribute("aria-labelledby");
    if (by) for (const id of by.split(/\s+/)) parts.push(document.getElementById(id)?.innerText || "");
    for (const name of ["aria-label", "placeholder", "title", "name", "id"]) parts.push(el.getAttribute(name) || "");
    return parts.map((p) => p.trim()).filter(Boolean);
  };
  const selector = (el) => {
    if (el.id && document.querySelectorAll("#" + CSS.escape(el.id)).length === 1) return "#" + CSS.escape(el.id);
    const tag = el.tagName.toLowerCase();
    const name = el.getAttribute("name");
    if (name) {
      const s = `${tag}[name="${CSS.escape(name)}"]`;
      if (document.querySelectorAll(s).length === 1) return s;
    }
    const path = [];
    for (let node = el; node && node.nodeType === 1 && node !== document.documentElement; node = node.parentElement) {
      let n = 1;
      for (let sib = node.previousElementSibling; sib; sib = sib.previousElementSibling) if (sib.tagName === node.tagName) n++;
      path.unshift(`${node.tagName.toLowerCase()}:nth-of-type(${n})`);
    }
    return path.join(" > ");
  };
  const visible = (el) => {
    const box = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    return box.width > 0 && box.height > 0 && style.visibility !== "hidden" && style.display !== "none";
  };
  const candidates = [...document.querySelectorAll("input, textarea, [contenteditable]")].filter((el) => {
    if (el.disabled || el.readOnly) return false;
    if (el.tagName === "INPUT" && !TEXT.has((el.getAttribute("type") || "").toLowerCase())) return false;
    if (el.hasAttribute("contenteditable")) {
      if (!el.isContentEditable || el.parentElement?.isContentEditable) return false;
    }
    return visible(el);
  });
  return candidates.map((el) => {
    const pattern = el.getAttribute("pattern");
    const fits = (value) => {
      if (!pattern) return null;
      try { return new RegExp(`^(?:${pattern})$`, "v").test(value); } catch { return null; }
    };
    return {
      selector: selector(el),
      words: words(el),
      type: (el.getAttribute("type") || "").toLowerCase(),
      autocomplete: (el.getAttribute("autocomplete") || "").toLowerCase(),
      inputmode: (el.getAttribute("inputmode") || "").toLowerCase(),
      maxlength: el.maxLength > 0 ? el.maxLength : null,
      dashed_fits: fits("__DASHED__"),
      digits_fits: fits("__DIGITS__"),
    };
  });
})()
