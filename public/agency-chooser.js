// The filing page's agency chooser: typing in the filter hides the agencies whose name (or code,
// as in /a/{code} and the tracking numbers) does not contain it. Without JavaScript the filter stays hidden and the select works alone.
(function () {
  var filter = document.getElementById('agency-filter');
  var select = document.getElementById('agency');
  if (!filter || !select) return;
  filter.hidden = false;
  filter.addEventListener('input', function () {
    var q = filter.value.trim();
    var code = q.toLowerCase();
    var groups = select.getElementsByTagName('optgroup');
    for (var g = 0; g < groups.length; g++) {
      var options = groups[g].getElementsByTagName('option');
      var shown = 0;
      for (var i = 0; i < options.length; i++) {
        var match = !q || options[i].textContent.indexOf(q) >= 0 || groups[g].label.indexOf(q) >= 0 || options[i].value.indexOf(code) >= 0;
        options[i].hidden = !match;
        options[i].disabled = !match;
        if (match) shown++;
      }
      groups[g].hidden = shown === 0;
    }
  });
})();
