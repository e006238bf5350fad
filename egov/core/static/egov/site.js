/* Loaded in <head>, before the stylesheets. The pages are built to work without JavaScript; the "js"
   class on <html> tells site.css that scripts run, so the header menu button can be used. */
document.documentElement.classList.add("js");

document.addEventListener("DOMContentLoaded", function () {
  // An error summary takes the focus, so screen readers read it and keyboard users start there.
  var summary = document.querySelector("[data-error-summary]");
  if (summary) summary.focus();
  // The language menu submits itself; without JavaScript its button does.
  document.querySelectorAll("select[data-submit-on-change]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
});
