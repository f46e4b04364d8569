// A button or form with data-confirm asks first, in a dialog that states the consequence
// in words; only "确定" sends the form (with the button that was pressed).
(function () {
  var dialog = document.getElementById('confirm-dialog');
  if (!dialog) return;
  document.addEventListener('submit', function (event) {
    var form = event.target, button = event.submitter;
    var message = (button && button.dataset.confirm) || form.dataset.confirm;
    if (!message || form.dataset.confirmed) return;
    event.preventDefault();
    dialog.querySelector('.confirm-message').textContent = message;
    var modal = bootstrap.Modal.getOrCreateInstance(dialog);
    dialog.querySelector('.confirm-ok').onclick = function () {
      form.dataset.confirmed = '1';
      modal.hide();
      form.requestSubmit(button || undefined);
    };
    modal.show();
  }, true);
})();
