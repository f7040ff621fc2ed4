// Rapport's only script: inbox keyboard shortcuts, bulk selection, the live note preview and the
// trigger editor's source fields. Every action also works without it (plain forms and links).
'use strict';

function typing(target) {
  return target instanceof HTMLElement && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
}

function setupInbox() {
  const cards = Array.from(document.querySelectorAll('[data-suggestion]'));
  let current = -1;
  const focusCard = (i, scroll = true) => {
    if (!cards.length) return;
    current = Math.max(0, Math.min(cards.length - 1, i));
    cards.forEach((c, n) => c.classList.toggle('current', n === current));
    cards[current].focus({ preventScroll: true });
    if (scroll) cards[current].scrollIntoView({ block: 'start', behavior: 'smooth' });
  };
  cards.forEach((card, i) => card.addEventListener('focusin', () => {
    current = i;
    cards.forEach((c, n) => c.classList.toggle('current', n === i));
  }));

  document.addEventListener('keydown', (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (typing(event.target)) {
      if (event.key === 'Escape' && current >= 0) focusCard(current);
      return;
    }
    const card = cards[current];
    switch (event.key) {
      case 'j': focusCard(current + 1); break;
      case 'k': focusCard(current - 1); break;
      case 'e': card?.querySelector('[data-edit-body]')?.focus(); break;
      case 'r': card?.querySelector('[data-reject-reason]')?.focus(); break;
      case 'a': card?.querySelector('[data-approve-form]')?.requestSubmit(); break;
      case 'x': {
        const box = card?.querySelector('[data-select]');
        if (box) { box.checked = !box.checked; box.dispatchEvent(new Event('change', { bubbles: true })); }
        break;
      }
      default: return;
    }
    event.preventDefault();
  });

  const counter = document.querySelector('[data-selected-count]');
  const updateCount = () => {
    const n = document.querySelectorAll('[data-select]:checked').length;
    if (counter) counter.textContent = n ? `${n} selected` : 'None selected';
  };
  document.addEventListener('change', (event) => {
    if (event.target instanceof HTMLInputElement && event.target.matches('[data-select]')) updateCount();
  });
  updateCount();

  // The preview follows the edit, paragraph for paragraph, the way the email will show it.
  for (const card of cards) {
    const body = card.querySelector('[data-edit-body]');
    const subject = card.querySelector('[data-edit-subject]');
    const previewBody = card.querySelector('[data-preview-body]');
    const previewSubject = card.querySelector('[data-preview-subject]');
    body?.addEventListener('input', () => {
      if (!previewBody) return;
      previewBody.replaceChildren(...body.value.trim().split(/\n{2,}/).map((text) => {
        const p = document.createElement('p');
        text.split('\n').forEach((line, i) => { if (i) p.append(document.createElement('br')); p.append(line); });
        return p;
      }));
    });
    subject?.addEventListener('input', () => { if (previewSubject) previewSubject.textContent = subject.value; });
  }
  // Start on the first card so j/k/a work at once, without scrolling past the page header.
  if (cards.length && !document.querySelector('[aria-invalid="true"]')) focusCard(0, false);
}

function setupTriggerEditor() {
  const select = document.querySelector('select[name="sourceType"]');
  if (!select) return;
  const sync = () => {
    for (const part of document.querySelectorAll('[data-source]')) {
      part.hidden = !part.dataset.source.split(' ').includes(select.value);
    }
  };
  select.addEventListener('change', sync);
  sync();
}

document.addEventListener('DOMContentLoaded', () => {
  if (document.body.dataset.page === 'inbox') setupInbox();
  setupTriggerEditor();
  document.querySelector('[aria-invalid="true"]')?.focus();
});
