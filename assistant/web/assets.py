"""The page's stylesheet and its one script (kept in Python so they ship inside the package)."""

from __future__ import annotations

CSS = """
.gradio-container { max-width: 1240px !important; margin: 0 auto !important; }
#brand { padding: 2px 2px 0; }
.brand { display: flex; gap: 14px; align-items: flex-start; }
.brand-mark { flex: 0 0 40px; height: 40px; border-radius: 10px; display: grid; place-items: center;
  background: linear-gradient(135deg, #4338ca, #0f766e); color: #fff; font-weight: 700; font-size: 17px; }
.brand h1 { margin: 0; font-size: 21px; line-height: 1.3; font-weight: 700; }
.brand p { margin: 3px 0 0; color: var(--body-text-color-subdued); font-size: 13.5px; line-height: 1.45;
  max-width: 1040px; }
.brand .pill { display: inline-block; font-size: 11px; font-weight: 500; padding: 1px 8px;
  border-radius: 999px;
  margin-left: 6px; vertical-align: 3px; background: var(--background-fill-secondary);
  border: 1px solid var(--border-color-primary); }

#chat .message-content { font-size: 15px; line-height: 1.55; }
#chat .question { white-space: normal; }
.answer p { margin: 0 0 6px; }
.answer ul { margin: 4px 0 6px 0; padding-left: 20px; }
.answer li { margin: 4px 0; }
.answer .group-label { margin: 10px 0 2px; font-weight: 600; }
.answer table.compare { border-collapse: collapse; margin: 6px 0 10px; font-size: 0.95em; }
.answer table.compare th, .answer table.compare td { border: 1px solid #cbd5e1; padding: 4px 8px; text-align: left; }
.answer table.compare th { background: #f1f5f9; }
button.cite { display: inline-block; margin: 0 1px; padding: 0 5px; border-radius: 6px; cursor: pointer;
  font-size: 12px; font-weight: 600; line-height: 18px; vertical-align: 1px;
  color: #3730a3; background: #e0e7ff; border: 1px solid #c7d2fe; }
button.cite:hover, button.cite:focus-visible { background: #c7d2fe; outline: 2px solid #6366f1;
  outline-offset: 1px; }
button.cite.active { background: #4338ca; color: #fff; border-color: #4338ca; }
.sources { margin-top: 10px; padding-top: 8px; border-top: 1px solid var(--border-color-primary);
  font-size: 13px; }
.sources-title { font-weight: 600; text-transform: uppercase; letter-spacing: .04em; font-size: 11px;
  color: var(--body-text-color-subdued); margin-bottom: 4px; }
.sources ol { list-style: none; margin: 0; padding: 0; }
.sources li { margin: 3px 0; }
.source-where { color: var(--body-text-color-subdued); }
#chat .message.bot:has(.answer.refused) { border: none; background: transparent; padding: 0; }
#source-col .html-container { padding: 0 !important; }
.refusal { border: 1px solid #f59e0b; border-left: 4px solid #d97706; background: #fffbeb; color: #78350f;
  border-radius: 8px; padding: 10px 12px; }
.refusal p { margin: 0; }
.refusal-label { display: block; font-weight: 700; font-size: 12px; text-transform: uppercase;
  letter-spacing: .05em; margin-bottom: 4px; }
.error-note { border: 1px solid #fca5a5; border-left: 4px solid #dc2626; background: #fef2f2; color: #7f1d1d;
  border-radius: 8px; padding: 10px 12px; }
.pending { color: var(--body-text-color-subdued); font-style: italic; }
.pending .dot { display: inline-block; width: 8px; height: 8px; border-radius: 50%; background: #6366f1;
  margin-right: 8px; animation: pulse 1s infinite ease-in-out; }
@keyframes pulse { 0%, 100% { opacity: .25; } 50% { opacity: 1; } }

.source-panel { border: 1px solid var(--border-color-primary); border-radius: 12px; padding: 14px 16px;
  background: var(--background-fill-primary); max-height: calc(100vh - 40px); overflow: auto; }
.panel-head { display: flex; justify-content: space-between; align-items: center; margin-bottom: 8px; }
.panel-title { font-weight: 700; font-size: 13px; text-transform: uppercase; letter-spacing: .05em;
  color: var(--body-text-color-subdued); }
.panel-close { display: none; border: none; background: transparent; font-size: 22px; line-height: 1;
  cursor: pointer; color: var(--body-text-color); }
.panel-empty { color: var(--body-text-color-subdued); font-size: 14px; line-height: 1.5; margin: 0; }
.cite-sample { color: #3730a3; background: #e0e7ff; border-radius: 6px; padding: 0 5px; font-weight: 600; }
.card-kicker { margin: 0; font-size: 12px; font-weight: 600; color: #4338ca; }
.card-title { margin: 2px 0 8px; font-size: 17px; line-height: 1.3; }
.card-meta { display: grid; grid-template-columns: max-content 1fr; gap: 3px 10px; margin: 0 0 10px;
  font-size: 13px; }
.card-meta dt { color: var(--body-text-color-subdued); }
.card-meta dd { margin: 0; overflow-wrap: anywhere; }
.card-meta a { color: #4338ca; text-decoration: underline; }
.card-source > a, .card-source > span { display: block; text-align: left; }
.card-passage-label { margin: 0 0 4px; font-size: 12px; font-weight: 600;
  color: var(--body-text-color-subdued); }
.card-passage { font-size: 14px; line-height: 1.55; border-left: 3px solid var(--border-color-primary);
  padding-left: 10px; }
.card-passage p { margin: 0 0 8px; }
.card-passage p:not(.quoted) { color: var(--body-text-color-subdued); }
.card-passage mark { background: #fde68a; color: #1f2937; padding: 1px 2px; border-radius: 3px; }

#examples { gap: 6px !important; }
#examples button { justify-content: flex-start; white-space: normal; text-align: left; font-weight: 400;
  line-height: 1.35; padding: 7px 10px; }
.examples-label { font-size: 11px; font-weight: 600; text-transform: uppercase; letter-spacing: .05em;
  color: var(--body-text-color-subdued); margin: 8px 0 0; }
.welcome { max-width: 440px; text-align: center; color: var(--body-text-color-subdued); font-size: 14px; }
.welcome p { margin: 0 0 8px; }
#feedback-bar { align-items: center; gap: 8px; }
#feedback-bar button { flex: 0 0 auto !important; min-width: 0 !important; gap: 6px; }
/* thumbs drawn in CSS: emoji fonts are not everywhere */
#thumbs-up::before, #thumbs-down::before { content: ""; width: 16px; height: 16px; flex: 0 0 16px;
  background: currentColor; -webkit-mask: var(--thumb) center / contain no-repeat;
  mask: var(--thumb) center / contain no-repeat; }
#thumbs-down::before { transform: scaleY(-1); }
#thumbs-up, #thumbs-down { --thumb: url("data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' \
viewBox='0 0 24 24'%3E%3Cpath d='M2 21h4V9H2v12zm20-11a2 2 0 0 0-2-2h-6.3l1-4.6v-.3c0-.4-.2-.8-.4-1.1L13.2 1 \
6.6 7.6C6.2 8 6 8.5 6 9v10a2 2 0 0 0 2 2h9c.8 0 1.5-.5 1.8-1.2l3-7.1c.1-.2.2-.5.2-.7v-2z'/%3E%3C/svg%3E"); }
#ask-note:not(:has(.note)), #feedback-note:not(:has(.note)) { display: none; }
.note { font-size: 13px; color: var(--body-text-color-subdued); margin: 0; }
.note.ok { color: #047857; }
.note.bad { color: #b91c1c; }

/* the conversation panel */
#conversation-col { gap: 8px !important; }
#conversation-list .wrap { flex-direction: column; gap: 4px !important; }
#conversation-list label { width: 100%; font-size: 13px; line-height: 1.35; padding: 6px 8px !important; }
#conversation-list label span { display: -webkit-box; -webkit-box-orient: vertical; -webkit-line-clamp: 3;
  overflow: hidden; }
#conversation-note:not(:has(.note)) { display: none; }
#conversation-actions button { min-width: 0 !important; }
/* the corpus tab */
#corpus-table td, #corpus-table th, #corpus-table span { font-family: var(--font) !important; font-size: 13px; }
#corpus-table tbody tr { cursor: pointer; }
.doc-view h3 { margin: 0 0 8px; font-size: 18px; }
.doc-view h4, .ingest-report h4, .gap-group h4 { margin: 14px 0 6px; font-size: 14px; }
.doc-passages { padding-left: 20px; margin: 0; }
.doc-passages li { margin: 0 0 10px; font-size: 13.5px; line-height: 1.5; }
.doc-passages li.cited { border-left: 3px solid #f59e0b; padding-left: 8px; }
.passage-where { margin: 0; color: var(--body-text-color-subdued); font-size: 12px; }
.cited-badge { background: #fde68a; color: #78350f; border-radius: 6px; padding: 0 6px; font-weight: 600; }
.doc-citing { font-size: 13px; padding-left: 18px; }
.doc-citing q { display: block; color: var(--body-text-color-subdued); font-style: italic; }
.doc-citing .when, .gap-meta, .gap-label { color: var(--body-text-color-subdued); font-size: 12px; }
#document-view .doc-view { max-height: 75vh; overflow: auto; }
.ingest-report ul, .gap-group ul { font-size: 13px; padding-left: 18px; margin: 4px 0; }
.gap-group { border: 1px solid var(--border-color-primary); border-radius: 10px; padding: 4px 12px 10px;
  margin: 10px 0; }
.gap-count { display: inline-block; min-width: 26px; text-align: center; border-radius: 999px; margin-right: 4px;
  background: #4338ca; color: #fff; font-size: 12px; padding: 1px 6px; }
.gap-cols { display: grid; grid-template-columns: 3fr 2fr; gap: 12px; }
.gap-label { margin: 6px 0 0; font-weight: 600; text-transform: uppercase; letter-spacing: .04em; }
.gap-docs .sim { color: var(--body-text-color-subdued); font-size: 11px; }

@media (max-width: 820px) {
  #conversation-col { order: 3; }
  .gap-cols { grid-template-columns: 1fr; }
  .brand h1 { font-size: 19px; }
  .brand p { font-size: 13px; display: -webkit-box; -webkit-box-orient: vertical; -webkit-line-clamp: 4;
    overflow: hidden; }
  /* Gradio wraps each textbox in a form block: size those, not the textboxes */
  #ask-row { flex-wrap: nowrap !important; }
  #ask-row > *:has(#question) { flex: 1 1 auto !important; min-width: 0 !important; }
  #ask-button { flex: 0 0 76px !important; min-width: 76px !important; }
  #feedback-bar { flex-wrap: wrap !important; }
  #feedback-bar > *:has(#comment) { flex: 1 1 100% !important; }
  #feedback-bar > button { flex: 1 1 40% !important; }
  #source-col { min-width: 0 !important; padding: 0 !important; gap: 0 !important; }
  .source-panel { display: none; }
  .source-panel.open { display: block; position: fixed; left: 0; right: 0; bottom: 0;
    max-height: 72vh; border-radius: 16px 16px 0 0; z-index: 2147483000;
    box-shadow: 0 -8px 30px rgba(0, 0, 0, .25); }
  .source-panel.open .panel-close { display: block; }
}
"""

HEAD = """
<meta name="description" content="Cited answers on AI in outsourcing, from a curated corpus.">
<script>
(() => {
  const numberOf = (button) => {
    const name = [...button.classList].find((c) => /^cite-\\d+$/.test(c));
    return name ? name.slice(5) : null;
  };
  document.addEventListener("click", (event) => {
    const target = event.target instanceof Element ? event.target : null;
    if (!target) return;
    const cite = target.closest("button.cite");
    if (cite) {
      const answer = cite.closest(".answer");
      const n = numberOf(cite);
      const card = answer && n ? answer.querySelector(".cards .card-" + n) : null;
      const panel = document.querySelector(".source-panel");
      const body = panel ? panel.querySelector(".panel-body") : null;
      if (!card || !body) return;
      body.replaceChildren(card.cloneNode(true));
      panel.classList.add("open");
      panel.scrollTop = 0;
      document.querySelectorAll("button.cite.active").forEach((b) => b.classList.remove("active"));
      answer.querySelectorAll("button.cite-" + n).forEach((b) => b.classList.add("active"));
      const mark = body.querySelector("mark");
      if (mark && window.matchMedia("(min-width: 821px)").matches) mark.scrollIntoView({block: "nearest"});
      return;
    }
    if (target.closest(".panel-close")) {
      const panel = document.querySelector(".source-panel");
      if (panel) panel.classList.remove("open");
    }
  });
  // A new question is pinned to the top of the chat view while its answer arrives, so the answer
  // is read from its start; the reader's own scrolling releases it.
  const scrollParent = (node) => {
    for (let el = node.parentElement; el; el = el.parentElement) {
      if (/(auto|scroll)/.test(getComputedStyle(el).overflowY) && el.scrollHeight > el.clientHeight) return el;
    }
    return null;
  };
  let questions = 0;
  let pinned = null;
  const align = () => {
    if (!pinned || !pinned.isConnected) return;
    const box = scrollParent(pinned);
    if (box) box.scrollTop += pinned.getBoundingClientRect().top - box.getBoundingClientRect().top - 8;
  };
  new MutationObserver(() => {
    const rows = document.querySelectorAll("#chat .user-row");
    if (rows.length !== questions) pinned = rows.length > questions ? rows[rows.length - 1] : null;
    questions = rows.length;
    if (pinned) requestAnimationFrame(align);
  }).observe(document.documentElement, {childList: true, subtree: true, characterData: true});
  for (const kind of ["wheel", "touchstart"]) {
    document.addEventListener(kind, (event) => {
      if (event.target instanceof Element && event.target.closest("#chat")) pinned = null;
    }, {passive: true});
  }
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") return;
    const panel = document.querySelector(".source-panel.open");
    if (panel) panel.classList.remove("open");
  });
})();
</script>
"""
