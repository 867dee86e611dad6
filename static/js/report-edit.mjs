// "Insert" buttons beside drafted sentences: add the sentence to the end of the section's
// text, as a paragraph of its own, and put the cursor after it. Without JavaScript the
// buttons stay hidden and the sentences can be copied.
for (const button of document.querySelectorAll("button.sct-insert")) {
  button.hidden = false;
  button.addEventListener("click", () => {
    const field = document.getElementById(button.dataset.target);
    if (!field) return;
    const text = button.dataset.text;
    const before = field.value.trimEnd();
    field.value = before ? `${before}\n\n${text}` : text;
    field.focus();
    field.setSelectionRange(field.value.length, field.value.length);
    button.textContent = "Inserted";
    button.disabled = true;
  });
}
