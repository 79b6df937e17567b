// Leaving for the payment provider's hosted page. Most providers give a URL to
// send the browser to; PayFast documents checkout as an HTML form POSTed to its
// payment page, so for it the backend also answers with that form's signed
// fields, and the browser posts them (a real top-level navigation).

/** A form to POST to another site: where, and its fields in order. */
export interface PostedForm {
  action: string;
  fields: { name: string; value: string }[];
}

/** The checkout answer: a URL, and for PayFast the form to post. */
export interface CheckoutAnswer {
  url: string;
  form?: PostedForm | null;
}

/** Post `form` from the top-level window, as a form the user submitted would. */
export function postForm({ action, fields }: PostedForm): void {
  const form = document.createElement("form");
  form.method = "post";
  form.action = action;
  form.hidden = true;
  for (const { name, value } of fields) {
    const input = document.createElement("input");
    input.type = "hidden";
    input.name = name;
    input.value = value;
    form.append(input);
  }
  document.body.append(form);
  form.submit();
}

/** Go to the provider: post its form when there is one, else follow the URL. */
export function leaveForProvider(answer: CheckoutAnswer): void {
  if (answer.form) postForm(answer.form);
  else window.location.assign(answer.url);
}
