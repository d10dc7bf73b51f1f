// Live meetup room: chat, presence, hands, reactions, reports and host controls over one
// websocket. Everything a member wrote is inserted as text (never as HTML).
(function () {
  "use strict";
  var root = document.getElementById("live-room");
  if (!root) { return; }
  var text = function (key) { return root.dataset["text" + key] || ""; };
  var status = document.getElementById("room-status");
  var log = document.getElementById("chat-log");
  var people = document.getElementById("participants");
  var form = document.getElementById("chat-form");
  var body = document.getElementById("chat-body");
  var note = document.getElementById("chat-note");
  var warning = document.getElementById("chat-warning");
  var handButton = document.getElementById("hand-toggle");
  var banner = document.getElementById("crisis-banner");
  var canModerate = root.dataset.canModerate === "true";
  var canHide = root.dataset.canHide === "true";
  var socket = null;
  var closedForGood = false;
  var retryDelay = 1000;

  function el(tag, className, content) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (content !== undefined) { node.textContent = content; }
    return node;
  }

  function send(frame) {
    if (socket && socket.readyState === WebSocket.OPEN) { socket.send(JSON.stringify(frame)); }
  }

  function say(message) { status.textContent = message; }

  function optionsFrom(templateId) {
    var select = document.createElement("select");
    select.appendChild(document.getElementById(templateId).content.cloneNode(true));
    return select;
  }

  function reactionSummary(reactions) {
    var parts = [];
    Object.keys(reactions || {}).forEach(function (kind) {
      var option = document.querySelector("#reaction-kinds").content.querySelector("option[value='" + kind + "']");
      parts.push((option ? option.textContent : kind) + " " + reactions[kind]);
    });
    return parts.join(" · ");
  }

  function messageItem(message) {
    var item = el("li");
    item.id = "message-" + message.id;
    var header = el("p");
    header.appendChild(el("span", "chat-author", message.author + (message.author_is_host ? " (" + text("Host") + ")" : "") + (message.mine ? " (" + text("You") + ")" : "")));
    item.appendChild(header);
    var content = el("p", "chat-body", message.body);
    if (message.content_note) {
      var details = el("details");
      details.appendChild(el("summary", "", text("Note") + " " + message.content_note));
      details.appendChild(content);
      item.appendChild(details);
    } else {
      item.appendChild(content);
    }
    var tools = el("div", "chat-tools");
    var reactions = el("span", "chat-reactions", reactionSummary(message.reactions));
    tools.appendChild(reactions);
    var reactionSelect = optionsFrom("reaction-kinds");
    var prompt = el("option", "", text("React"));
    prompt.value = "";
    reactionSelect.insertBefore(prompt, reactionSelect.firstChild);
    reactionSelect.value = "";
    reactionSelect.setAttribute("aria-label", text("React"));
    reactionSelect.addEventListener("change", function () {
      if (!reactionSelect.value) { return; }
      send({ type: "reaction.add", message_id: message.id, kind: reactionSelect.value });
      reactionSelect.value = "";
    });
    tools.appendChild(reactionSelect);
    if (!message.mine) {
      var report = el("details");
      report.appendChild(el("summary", "", text("Report")));
      var reason = optionsFrom("report-reasons");
      reason.setAttribute("aria-label", text("Report"));
      var reportButton = el("button", "secondary", text("ReportSend"));
      reportButton.type = "button";
      reportButton.addEventListener("click", function () {
        send({ type: "message.report", message_id: message.id, reason: reason.value });
      });
      report.appendChild(reason);
      report.appendChild(reportButton);
      tools.appendChild(report);
    }
    if (canHide) {
      var hide = el("button", "secondary", text("Hide"));
      hide.type = "button";
      hide.setAttribute("aria-label", text("HideMessage") + " " + message.author);
      hide.addEventListener("click", function () {
        send({ type: "message.hide", message_id: message.id });
      });
      tools.appendChild(hide);
    }
    item.appendChild(tools);
    return item;
  }

  function addMessage(message) {
    log.appendChild(messageItem(message));
    log.scrollTop = log.scrollHeight;
  }

  function showPeople(participants) {
    people.textContent = "";
    participants.forEach(function (participant) {
      var item = el("li");
      var label = participant.name;
      if (participant.is_host) { label += " (" + text("Host") + ")"; }
      if (participant.raised_hand) { label += " ✋ " + text("Hand"); }
      item.appendChild(el("span", "", label));
      if (canModerate && !participant.is_host) {
        var remove = el("button", "secondary", text("Remove"));
        remove.type = "button";
        remove.setAttribute("aria-label", text("Remove") + " " + participant.name);
        remove.addEventListener("click", function () {
          send({ type: "participant.remove", participant_id: participant.id });
        });
        item.appendChild(remove);
      }
      people.appendChild(item);
    });
  }

  function showState(state) {
    root.querySelectorAll("[data-toggle]").forEach(function (button) {
      var on = button.dataset.action === "room.mute" ? state.chat_muted : state.locked;
      button.setAttribute("aria-pressed", on ? "true" : "false");
    });
    var notes = [];
    if (state.chat_muted) { notes.push(text("Muted")); }
    if (state.locked) { notes.push(text("Locked")); }
    say(notes.length ? notes.join(" ") : text("Connected"));
  }

  var handlers = {
    "room.welcome": function (frame) {
      canHide = Boolean(frame.room.can_hide);
      log.textContent = "";
      frame.history.forEach(addMessage);
      showPeople(frame.participants);
      showState(frame.room);
    },
    "chat.hidden": function (frame) {
      var item = document.getElementById("message-" + frame.message_id);
      if (item) { item.remove(); say(text("Hidden")); }
    },
    "chat.message": function (frame) {
      addMessage(frame.message);
      warning.textContent = frame.warnings && frame.warnings.length ? text("Phi") : "";
    },
    "chat.reactions": function (frame) {
      var item = document.getElementById("message-" + frame.message_id);
      if (item) { item.querySelector(".chat-reactions").textContent = reactionSummary(frame.reactions); }
    },
    "presence": function (frame) { showPeople(frame.participants); },
    "room.state": showState,
    "crisis": function () { banner.hidden = false; banner.scrollIntoView(); },
    "report.received": function () { say(text("Reported")); },
    "removed": function () { closedForGood = true; say(text("Removed")); },
    "ended": function () { closedForGood = true; say(text("Ended")); },
    "error": function (frame) {
      say(frame.code === "rate_limited" ? text("TooFast") : text("Forbidden"));
    }
  };

  function connect() {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    say(text("Connecting"));
    socket = new WebSocket(scheme + window.location.host + root.dataset.socketPath);
    socket.addEventListener("open", function () { retryDelay = 1000; });
    socket.addEventListener("message", function (event) {
      var frame = JSON.parse(event.data);
      if (handlers[frame.type]) { handlers[frame.type](frame); }
    });
    socket.addEventListener("close", function (event) {
      if (event.code === 4001) { closedForGood = true; say(text("SignedOut")); }
      if (event.code === 4000 || event.code === 4003) { closedForGood = true; }
      form.querySelector("button[type=submit]").disabled = closedForGood;
      if (!closedForGood) {
        say(text("Reconnecting"));
        window.setTimeout(connect, retryDelay);
        retryDelay = Math.min(retryDelay * 2, 30000);
      }
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (!body.value.trim()) { body.focus(); return; }
    send({ type: "chat.post", body: body.value, content_note: note.value });
    body.value = "";
    note.value = "";
    body.focus();
  });
  body.addEventListener("keydown", function (event) {
    // Enter sends, Shift+Enter starts a new line.
    if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); form.requestSubmit(); }
  });
  handButton.addEventListener("click", function () {
    var raised = handButton.getAttribute("aria-pressed") === "true";
    send({ type: raised ? "hand.lower" : "hand.raise" });
    handButton.setAttribute("aria-pressed", raised ? "false" : "true");
  });
  root.querySelectorAll("[data-action]").forEach(function (button) {
    button.addEventListener("click", function () {
      var action = button.dataset.action;
      if (button.dataset.toggle && button.getAttribute("aria-pressed") === "true") { action = button.dataset.toggle; }
      send({ type: action });
    });
  });
  connect();
}());
