// The portal's chat widget: talks to POST /api/v1/bot/messages with the session (the
// CSRF token comes from the widget's own hidden field: the cookie is HttpOnly). Every
// text shown comes from the page (translated there) or from the server, and is inserted
// as text, never as HTML.
(function () {
  var root = document.getElementById("zt-bot");
  if (!root) { return; }
  var panel = root.querySelector("[data-bot-panel]");
  var log = root.querySelector("[data-bot-log]");
  var form = root.querySelector("[data-bot-form]");
  var input = form.querySelector("textarea");
  var person = root.querySelector("[data-bot-person]");
  var token = root.querySelector("input[name=csrfmiddlewaretoken]").value;
  var conversation = null;
  var closed = false;

  function line(role, text, extra) {
    var item = document.createElement("div");
    item.className = "zt-bot-msg zt-bot-" + role;
    item.setAttribute("data-testid", "bot-" + role);
    var body = document.createElement("div");
    body.className = "zt-bot-text";
    body.textContent = text;
    item.appendChild(body);
    if (extra) { item.appendChild(extra); }
    log.appendChild(item);
    log.scrollTop = log.scrollHeight;
    return item;
  }

  function link(href, text, testid) {
    var a = document.createElement("a");
    a.href = href;
    a.textContent = text;
    a.target = "_blank";
    a.rel = "noopener";
    if (testid) { a.setAttribute("data-testid", testid); }
    return a;
  }

  function rating(messageId) {
    var box = document.createElement("div");
    box.className = "zt-bot-rate";
    [["1", root.dataset.up], ["0", root.dataset.down]].forEach(function (choice) {
      var b = document.createElement("button");
      b.type = "button";
      b.className = "btn btn-sm btn-link p-0 me-2";
      b.textContent = choice[1];
      b.setAttribute("data-testid", "bot-rate-" + choice[0]);
      b.addEventListener("click", function () {
        send(root.dataset.endpoint + "/" + messageId + "/rating", { helpful: choice[0] === "1" })
          .then(function () { box.textContent = root.dataset.thanks; });
      });
      box.appendChild(b);
    });
    return box;
  }

  function send(url, payload) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": token },
      body: JSON.stringify(payload)
    }).then(function (response) {
      return response.status === 204 ? {} : response.json().then(function (data) {
        if (!response.ok) { throw data; }
        return data;
      });
    });
  }

  function ask(text, wantPerson) {
    if (closed) { return; }
    line("customer", text);
    var payload = { text: text, person: !!wantPerson };
    if (conversation) { payload.conversation_id = conversation; }
    form.querySelector("button[type=submit]").disabled = true;
    send(root.dataset.endpoint, payload).then(function (reply) {
      conversation = reply.conversation_id;
      var extra = document.createElement("div");
      extra.className = "small mt-1";
      if (reply.source) {
        extra.appendChild(document.createTextNode(root.dataset.source + " "));
        extra.appendChild(link(reply.source.url, reply.source.title, "bot-source"));
        extra.appendChild(rating(reply.message_id));
      }
      if (reply.ticket) {
        extra.appendChild(document.createTextNode(root.dataset.ticket + " "));
        extra.appendChild(link(reply.ticket.url, reply.ticket.reference, "bot-ticket"));
        closed = true;
        form.style.display = "none";
        person.style.display = "none";
      }
      line("bot", reply.text, extra);
    }).catch(function (problem) {
      line("bot", (problem && problem.title) || root.dataset.error);
    }).then(function () {
      form.querySelector("button[type=submit]").disabled = false;
    });
  }

  root.querySelectorAll("[data-bot-toggle]").forEach(function (button) {
    button.addEventListener("click", function () {
      panel.hidden = !panel.hidden;
      if (!panel.hidden) { input.focus(); }
    });
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    if (!text) { return; }
    input.value = "";
    ask(text, false);
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      form.requestSubmit ? form.requestSubmit() : form.submit();
    }
  });
  person.addEventListener("click", function () {
    ask(root.dataset.personText, true);
  });
})();
