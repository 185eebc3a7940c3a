// Counts down the time left on a sign-in step (progressive enhancement: the page says the same without it).
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
