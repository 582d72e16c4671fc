// Reading a QR code with the device's camera, shared by the desk's scanner and a person's
// page (meet codes): BarcodeDetector where the browser has one, else the vendored jsQR
// (loaded from the button's data-decoder address only when needed).
//   allocatorQrCamera(button, video, onText, onError): the button starts and stops the
//   camera; onText(text) gets each code read (the same one again only after 3 s).
(function () {
  "use strict";
  var t = window.pageWords || function (english) { return english; };
  function decoder(source) {
    if ("BarcodeDetector" in window) {
      var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
      return Promise.resolve(function (frame) {
        return detector.detect(frame).then(function (codes) { return codes.length ? codes[0].rawValue : null; });
      });
    }
    return new Promise(function (resolve, reject) {
      if (window.jsQR) { return resolve(); }
      var s = document.createElement("script");
      s.src = source;
      s.onload = resolve;
      s.onerror = reject;
      document.head.appendChild(s);
    }).then(function () {
      var canvas = document.createElement("canvas");
      var context = canvas.getContext("2d", { willReadFrequently: true });
      return function (frame) {
        canvas.width = frame.videoWidth;
        canvas.height = frame.videoHeight;
        if (!canvas.width) { return Promise.resolve(null); }
        context.drawImage(frame, 0, 0);
        var image = context.getImageData(0, 0, canvas.width, canvas.height);
        var found = window.jsQR(image.data, image.width, image.height, { inversionAttempts: "dontInvert" });
        return Promise.resolve(found ? found.data : null);
      };
    });
  }
  window.allocatorQrCamera = function (button, video, onText, onError) {
    if (!button || !video || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) { return; }
    var idle = button.textContent;
    var stream = null;
    function stop() {
      if (stream) { stream.getTracks().forEach(function (t) { t.stop(); }); }
      stream = null;
      video.hidden = true;
      button.textContent = idle;
    }
    button.hidden = false;
    if (button.parentElement && button.parentElement.hidden) { button.parentElement.hidden = false; }
    button.addEventListener("click", function () {
      if (stream) { return stop(); }
      Promise.all([navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } }),
                   decoder(button.getAttribute("data-decoder"))])
        .then(function (both) {
          stream = both[0];
          var decode = both[1];
          video.srcObject = stream;
          video.hidden = false;
          button.textContent = t("Stop the camera");
          return video.play().then(function () {
            var last = "";
            (function look() {
              if (!stream) { return; }
              decode(video).then(function (text) {
                if (text && text !== last) {
                  last = text;
                  onText(text, stop);
                  setTimeout(function () { last = ""; }, 3000);
                }
                setTimeout(look, 150);
              }, function () { setTimeout(look, 300); });
            })();
          });
        })
        .catch(function () { stop(); onError(); });
    });
  };
})();
