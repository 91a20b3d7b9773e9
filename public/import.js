// Upload progress for large ledgers; without JavaScript the form posts normally.
(function () {
  var form = document.getElementById('import-form');
  if (!form || !window.XMLHttpRequest) return;
  form.addEventListener('submit', function (event) {
    event.preventDefault();
    var bar = document.getElementById('upload-progress');
    var status = document.getElementById('upload-status');
    var xhr = new XMLHttpRequest();
    xhr.open('POST', form.getAttribute('action'));
    xhr.setRequestHeader('X-CSRF-Token', form.getAttribute('data-csrf'));
    bar.hidden = false;
    xhr.upload.onprogress = function (e) {
      if (e.lengthComputable) {
        bar.value = Math.round((e.loaded / e.total) * 100);
        status.textContent = '上传中 ' + bar.value + '%';
      }
    };
    xhr.upload.onload = function () {
      status.textContent = '上传完成，正在校验并导入……';
    };
    xhr.onload = function () {
      // A large ledger is answered with its progress page: go there, so that it refreshes itself.
      if (xhr.responseURL && xhr.responseURL.indexOf('/staff/import/jobs/') !== -1) {
        window.location.assign(xhr.responseURL);
        return;
      }
      document.open();
      document.write(xhr.responseText);
      document.close();
    };
    xhr.onerror = function () {
      status.textContent = '上传失败，请重试。';
    };
    xhr.send(new FormData(form));
  });
})();
