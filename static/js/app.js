// What the pages used to do in inline handlers, which the Content-Security-Policy forbids:
//   <form data-confirm="确定删除…？">        asks before it is sent
//   <select data-navigate>                   goes to the chosen option's URL
//   <select data-autosubmit>                 sends its form when changed
//   <button data-print>                      prints the page
document.addEventListener("submit", (event) => {
  const message = event.target.dataset && event.target.dataset.confirm;
  if (message && !window.confirm(message)) event.preventDefault();
});
document.addEventListener("change", (event) => {
  const field = event.target;
  if (field.matches("select[data-navigate]")) window.location.href = field.value;
  else if (field.matches("select[data-autosubmit]") && field.form) field.form.submit();
});
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) window.print();
});
