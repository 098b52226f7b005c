// /docs: the OpenAPI description shown as a page, built from /openapi.json as text nodes only.
"use strict";

function el(tag, text) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  return node;
}

function schemaText(schema, spec) {
  if (schema && schema.$ref) {
    schema = spec.components.schemas[schema.$ref.split("/").pop()];
  }
  return JSON.stringify(schema, null, 2);
}

document.addEventListener("DOMContentLoaded", async () => {
  const main = document.getElementById("docs");
  const spec = await (await fetch("/openapi.json")).json();
  main.replaceChildren(el("p", spec.info.description + " Version " + spec.info.version + "."));
  for (const [path, methods] of Object.entries(spec.paths)) {
    for (const [method, operation] of Object.entries(methods)) {
      const section = el("section");
      section.append(el("h2", method.toUpperCase() + " " + path), el("p", operation.summary));
      if (operation.requestBody) {
        section.append(el("h3", "Body"));
        section.append(el("pre", schemaText(operation.requestBody.content["application/json"].schema, spec)));
      }
      const list = el("ul");
      for (const [status, response] of Object.entries(operation.responses)) {
        list.append(el("li", status + ": " + response.description));
      }
      section.append(el("h3", "Responses"), list);
      main.append(section);
    }
  }
  main.append(el("h2", "Schemas"));
  for (const [name, schema] of Object.entries(spec.components.schemas)) {
    main.append(el("h3", name), el("pre", JSON.stringify(schema, null, 2)));
  }
});
