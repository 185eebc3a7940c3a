// Counts down the time left on a sign-in step, and a resend button's wait (progressive enhancement: without it the
// page says the same, and the button comes back when the page is loaded again).
(function () {
  var wait = document.querySelector('[data-resend-wait]');
  if (wait) {
    var waitTemplate = wait.getAttribute('data-template');
    var button = wait.parentNode.querySelector('button[disabled]');
    var readyAt = Date.now() + Number(wait.getAttribute('data-resend-wait')) * 1000;
    var count = function () {
      var left = Math.max(0, Math.ceil((readyAt - Date.now()) / 1000));
      if (left === 0) {
        wait.hidden = true;
        if (button) {
          button.disabled = false;
          button.removeAttribute('aria-describedby');
        }
        return;
      }
      wait.textContent = waitTemplate.replace('{s}', String(left));
      window.setTimeout(count, 1000);
    };
    count();
  }
})();
(function () {
  var box = document.querySelector('[data-seconds-left]');
  if (!box) return;
  var text = box.querySelector('.expiry-text');
  var template = text.getAttribute('data-template');
  var endsAt = Date.now() + Number(box.getAttribute('data-seconds-left')) * 1000;
  function tick() {
    var left = Math.max(0, Math.round((endsAt - Date.now()) / 1000));
    text.textContent = template
      .replace('{m}', String(Math.floor(left / 60)))
      .replace('{s}', String(left % 60));
    if (left === 0) {
      // Cognito's session is over: the server sends the user back to sign in with the username kept.
      window.location.reload();
      return;
    }
    window.setTimeout(tick, 1000);
  }
  tick();
})();
