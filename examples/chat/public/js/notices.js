/* global document */
/**
 * Where refusals become sentences: one banner for what matters now (with a countdown
 * when the server said how long to wait), and a log of every notice with its code.
 * Everything is inserted as text.
 */
export function createNotices() {
  const banner = document.getElementById('notice');
  const text = document.getElementById('notice-text');
  // The code stays readable in the banner, also after a logout hides the notice log.
  const codeTag = document.getElementById('notice-code');
  const action = document.getElementById('notice-action');
  const log = document.getElementById('notice-log');
  let timer;

  function stopCountdown() {
    if (timer !== undefined) clearInterval(timer);
    timer = undefined;
  }

  function record(sentence, code) {
    const item = document.createElement('li');
    const time = new Date().toLocaleTimeString([], {
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    item.textContent = `${time} ${sentence}`;
    if (code) {
      const tag = document.createElement('code');
      tag.textContent = code;
      item.append(' ', tag);
    }
    log.prepend(item);
    while (log.children.length > 50) log.lastElementChild.remove();
  }

  /**
   * Shows a sentence. `countdownMs` with `sentenceFor(remainingMs)` rewrites it every
   * second until the wait is over, then calls `onDone`. `action` adds a button.
   */
  function show(
    sentence,
    { code, tone = 'warn', countdownMs, sentenceFor, onDone, action: button } = {},
  ) {
    // The same notice again (a retry failing the same way): keep the log readable.
    const repeated =
      !banner.hidden && text.textContent === sentence && banner.dataset.code === (code ?? '');
    if (repeated && countdownMs === undefined) return;
    stopCountdown();
    // A repeated countdown (a second refused message) restarts the wait, logged once.
    if (!repeated) record(sentence, code);
    banner.hidden = false;
    banner.dataset.tone = tone;
    banner.dataset.code = code ?? '';
    text.textContent = sentence;
    codeTag.textContent = code ?? '';
    codeTag.hidden = !code;
    action.hidden = button === undefined;
    action.onclick = null;
    if (button !== undefined) {
      action.textContent = button.label;
      action.onclick = () => button.run();
    }
    if (countdownMs !== undefined && countdownMs > 0) {
      const end = Date.now() + countdownMs;
      timer = setInterval(() => {
        const left = end - Date.now();
        if (left <= 0) {
          stopCountdown();
          onDone?.();
          return;
        }
        if (sentenceFor !== undefined) text.textContent = sentenceFor(left);
      }, 250);
    }
  }

  function clear() {
    stopCountdown();
    banner.hidden = true;
    banner.dataset.code = '';
  }

  return { show, clear };
}
