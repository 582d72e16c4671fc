// A person's own page: scan someone's meet code with the phone's camera (qrcamera.js);
// the code fills the field and the request is sent. Without JavaScript, typing works.
(function () {
  "use strict";
  var t = window.pageWords || function (english) { return english; };
  var input = document.querySelector("[data-meet-input]");
  if (!input || !window.allocatorQrCamera) { return; }
  var form = input.form;
  var said = form.querySelector("[data-meet-said]");
  window.allocatorQrCamera(form.querySelector("[data-meet-camera]"),
    form.querySelector(".meet-video"), function (text, stop) {
      if (!/^MEET:/i.test(text)) {
        said.textContent = t("That is not a meet code: ask them to open “Meet people” on their page.");
        return;
      }
      stop();
      input.value = text;
      form.submit();
    }, function () {
      said.textContent = t("The camera could not start: type the code instead.");
    });
})();
