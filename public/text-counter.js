// Long text: the limit is shown before it is reached and the count as one types. The browser's
// maxlength would cut pasted text silently; the server refuses text over the limit instead.
(function () {
  function length(value) {
    // As submitted: a line break is sent as CR LF; a character outside the BMP counts once.
    return Array.from(value.replace(/\r?\n/g, '\r\n')).length;
  }
  function counterFor(field) {
    var id = field.id + '-count';
    var counter = document.getElementById(id);
    if (!counter) {
      counter = document.createElement('p');
      counter.className = 'hint';
      counter.id = id;
      field.insertAdjacentElement('afterend', counter);
    }
    counter.setAttribute('aria-live', 'polite');
    return counter;
  }
  function update(field) {
    var max = Number(field.getAttribute('data-maxlength'));
    var n = length(field.value);
    var existing = document.getElementById(field.id + '-count');
    // Short fields (item lines) show their counter only near the limit.
    if (!existing && n < max * 0.8) return;
    var counter = counterFor(field);
    if (n > max) {
      counter.textContent = '已输入 ' + n + ' 字，超出上限 ' + max + ' 字 ' + (n - max) + ' 字，请删减后再提交。';
      counter.classList.add('error');
      field.setAttribute('aria-invalid', 'true');
    } else {
      counter.textContent = '已输入 ' + n + ' / ' + max + ' 字';
      counter.classList.remove('error');
      if (field.getAttribute('aria-invalid') === 'true' && !field.getAttribute('aria-describedby')) field.removeAttribute('aria-invalid');
    }
  }
  var fields = document.querySelectorAll('[data-maxlength]');
  for (var i = 0; i < fields.length; i++) {
    (function (field) {
      field.addEventListener('input', function () {
        update(field);
      });
      if (field.value) update(field);
    })(fields[i]);
  }
})();
