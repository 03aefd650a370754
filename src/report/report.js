(function () {
  var box = document.getElementById('lightbox');
  if (!box) return;
  var big = box.querySelector('img');
  var cap = box.querySelector('.lb-caption');
  function open(img) {
    big.src = img.src;
    cap.textContent = img.alt;
    box.hidden = false;
    document.body.classList.add('lb-open');
  }
  function close() {
    box.hidden = true;
    big.removeAttribute('src');
    document.body.classList.remove('lb-open');
  }
  document.addEventListener('click', function (e) {
    var t = e.target;
    if (t.classList && t.classList.contains('zoom')) { open(t); return; }
    if (!box.hidden && box.contains(t)) close();
  });
  document.addEventListener('keydown', function (e) {
    if (e.key === 'Escape' && !box.hidden) { close(); return; }
    var t = document.activeElement;
    if ((e.key === 'Enter' || e.key === ' ') && t && t.classList && t.classList.contains('zoom')) {
      e.preventDefault();
      open(t);
    }
  });
})();
