/**
 * The status page's one script, served as a file (`/page.js`: the Content-Security-Policy allows
 * scripts from the page's own origin only, never inline). Progressive enhancement: everything works
 * without it. It reloads the page every `data-refresh` seconds while the tab is visible and nothing
 * is being edited or selected, asks before a confirmation button writes, and offers "select all".
 */
export const PAGE_SCRIPT = `'use strict';
(function () {
  var body = document.body;
  var every = Number(body.getAttribute('data-refresh') || 0);
  function busy() {
    var a = document.activeElement;
    return document.hidden || document.querySelector('input[name="id"]:checked') ||
      (a && /^(INPUT|SELECT|TEXTAREA)$/.test(a.tagName) && a.type !== 'checkbox');
  }
  if (every > 0) setInterval(function () { if (!busy()) location.reload(); }, every * 1000);
  document.addEventListener('submit', function (event) {
    var button = event.submitter;
    var ask = button && button.getAttribute('data-confirm');
    if (ask && !window.confirm(ask)) event.preventDefault();
  });
  var all = document.querySelectorAll('input[data-select-all]');
  for (var i = 0; i < all.length; i++) {
    (function (box) {
      box.hidden = false;
      box.addEventListener('change', function () {
        var rows = box.form.querySelectorAll('input[name="id"]');
        for (var j = 0; j < rows.length; j++) rows[j].checked = box.checked;
      });
    })(all[i]);
  }
})();
`;
