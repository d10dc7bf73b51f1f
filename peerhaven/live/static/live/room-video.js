// Video room: WebRTC in a mesh (one RTCPeerConnection per peer, "perfect negotiation"), signalled
// over the room's websocket. Media go from browser to browser (or through the TURN relay,
// still encrypted); nothing is recorded here (no MediaRecorder) or on the server.
(function () {
  "use strict";
  var root = document.getElementById("video-room");
  if (!root) { return; }

  // --- page elements and texts -----------------------------------------------------------------
  var text = function (key) { return root.dataset["text" + key] || ""; };
  var fill = function (template, name) { return template.replace("{name}", name); };
  var grant = JSON.parse(document.getElementById("room-join").textContent);
  var statusBox = document.getElementById("room-status");
  var endedBox = document.getElementById("room-ended");
  var endedText = document.getElementById("room-ended-text");
  var grid = document.getElementById("video-grid");
  var localVideo = document.getElementById("local-video");
  var participantList = document.getElementById("participants");
  var cameraButton = document.getElementById("toggle-camera");
  var microphoneButton = document.getElementById("toggle-microphone");
  var shareButton = document.getElementById("toggle-share");
  var leaveButton = document.getElementById("leave");
  var cameraSelect = document.getElementById("camera-select");
  var microphoneSelect = document.getElementById("microphone-select");
  var banner = document.getElementById("crisis-banner");
  var crisisButton = document.getElementById("host-crisis");
  var endButton = document.getElementById("host-end");

  // --- state -----------------------------------------------------------------------------------
  var isHost = root.dataset.isHost === "true";
  var iceServers = grant.ice_servers || [];
  var icePolicy = grant.ice_transport_policy === "relay" ? "relay" : "all";
  var pendingToken = grant.token;
  var tokenIssuedAt = Date.now();
  var localStream = new MediaStream();
  var screenTrack = null;
  var myPeer = null;
  var earlySignals = {}; // peer id -> signals that came before the peer's presence frame
  var peers = {}; // peer id -> {pc, name, isHost, polite, makingOffer, ignoreOffer, answerPending, queue, stream, tile, iceTimer}
  var socket = null;
  var finished = false;
  var retryDelay = 1000;
  var mediaNote = "";
  var lastStatus = text("Connecting");
  var ICE_PATIENCE_MS = 8000; // ICE that neither connects nor fails in this time is restarted

  function el(tag, className, content) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (content !== undefined) { node.textContent = content; }
    return node;
  }

  function say(message) {
    lastStatus = message;
    statusBox.textContent = mediaNote ? message + " " + mediaNote : message;
  }

  function send(frame) {
    if (socket && socket.readyState === WebSocket.OPEN) { socket.send(JSON.stringify(frame)); }
  }

  // --- local media -------------------------------------------------------------------------------
  function mediaError(error) {
    var name = error && error.name;
    if (name === "NotAllowedError" || name === "SecurityError") { return text("Denied"); }
    if (name === "NotReadableError" || name === "AbortError") { return text("DeviceBusy"); }
    return text("NoDevice");
  }

  function getMedia(constraints) {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      return Promise.reject({ name: "NotFoundError" });
    }
    return navigator.mediaDevices.getUserMedia(constraints);
  }

  function startMedia() {
    // Both, else whichever device exists; a member without either can still watch and listen.
    return getMedia({ audio: true, video: true }).catch(function (error) {
      if (error && (error.name === "NotAllowedError" || error.name === "SecurityError")) { throw error; }
      return getMedia({ audio: true }).catch(function () { return getMedia({ video: true }); });
    }).then(function (stream) {
      localStream = stream;
    }).catch(function (error) {
      mediaNote = mediaError(error);
      say(lastStatus);
    }).then(function () {
      localVideo.srcObject = localStream;
      refreshToggles();
      listDevices();
    });
  }

  function trackOf(kind) {
    var tracks = kind === "audio" ? localStream.getAudioTracks() : localStream.getVideoTracks();
    return tracks.length ? tracks[0] : null;
  }

  function refreshToggles() {
    var camera = trackOf("video");
    var microphone = trackOf("audio");
    cameraButton.disabled = !camera;
    microphoneButton.disabled = !microphone;
    cameraButton.setAttribute("aria-pressed", camera && camera.enabled ? "true" : "false");
    microphoneButton.setAttribute("aria-pressed", microphone && microphone.enabled ? "true" : "false");
    shareButton.disabled = !(navigator.mediaDevices && navigator.mediaDevices.getDisplayMedia);
    shareButton.setAttribute("aria-pressed", screenTrack ? "true" : "false");
  }

  function toggle(kind) {
    var track = trackOf(kind);
    if (!track) { return; }
    track.enabled = !track.enabled;
    refreshToggles();
  }

  function listDevices() {
    if (!navigator.mediaDevices || !navigator.mediaDevices.enumerateDevices) { return; }
    navigator.mediaDevices.enumerateDevices().then(function (devices) {
      fillSelect(cameraSelect, devices, "videoinput", trackOf("video"));
      fillSelect(microphoneSelect, devices, "audioinput", trackOf("audio"));
    });
  }

  function fillSelect(select, devices, kind, current) {
    var currentId = current && current.getSettings ? current.getSettings().deviceId : "";
    select.textContent = "";
    var count = 0;
    devices.forEach(function (device) {
      if (device.kind !== kind || !device.deviceId) { return; }
      count += 1;
      var option = el("option", "", device.label || select.labels[0].textContent + " " + count);
      option.value = device.deviceId;
      option.selected = device.deviceId === currentId;
      select.appendChild(option);
    });
    select.disabled = count < 2;
  }

  function switchDevice(kind, deviceId) {
    var constraints = kind === "video" ? { video: { deviceId: { exact: deviceId } } } : { audio: { deviceId: { exact: deviceId } } };
    getMedia(constraints).then(function (stream) {
      var fresh = kind === "video" ? stream.getVideoTracks()[0] : stream.getAudioTracks()[0];
      var old = trackOf(kind);
      if (old) { fresh.enabled = old.enabled; localStream.removeTrack(old); old.stop(); }
      localStream.addTrack(fresh);
      if (!(kind === "video" && screenTrack)) { replaceOutgoing(kind, fresh); }
      if (kind === "video" && !screenTrack) { localVideo.srcObject = localStream; }
      refreshToggles();
    }).catch(function (error) { say(mediaError(error)); });
  }

  function replaceOutgoing(kind, track) {
    Object.keys(peers).forEach(function (id) {
      var pc = peers[id].pc;
      var sender = pc.getSenders().find(function (candidate) { return candidate.track && candidate.track.kind === kind; });
      if (sender) {
        sender.replaceTrack(track);
      } else if (track) {
        pc.addTrack(track, localStream); // renegotiates (perfect negotiation below)
      }
    });
    adaptQuality();
  }

  // --- screen share --------------------------------------------------------------------------------
  function startShare() {
    navigator.mediaDevices.getDisplayMedia({ video: true, audio: false }).then(function (stream) {
      screenTrack = stream.getVideoTracks()[0];
      screenTrack.addEventListener("ended", stopShare);
      replaceOutgoing("video", screenTrack);
      localVideo.srcObject = stream;
      refreshToggles();
    }).catch(function (error) {
      if (error && error.name !== "NotAllowedError") { say(text("ShareFailed")); }
    });
  }

  function stopShare() {
    if (!screenTrack) { return; }
    var track = screenTrack;
    screenTrack = null;
    track.stop();
    var camera = trackOf("video");
    Object.keys(peers).forEach(function (id) {
      peers[id].pc.getSenders().forEach(function (sender) {
        if (sender.track === track) { sender.replaceTrack(camera); }
      });
    });
    localVideo.srcObject = localStream;
    refreshToggles();
    adaptQuality();
    say(text("ShareStopped"));
  }

  // --- quality: fewer pixels per peer as the mesh grows ---------------------------------------------
  function adaptQuality() {
    var count = Object.keys(peers).length;
    var scale = count <= 1 ? 1 : count <= 3 ? 1.5 : count <= 5 ? 2 : 3;
    var bitrate = count <= 1 ? 1500000 : count <= 3 ? 800000 : count <= 5 ? 450000 : 250000;
    Object.keys(peers).forEach(function (id) {
      peers[id].pc.getSenders().forEach(function (sender) {
        if (!sender.track || sender.track.kind !== "video") { return; }
        var parameters = sender.getParameters();
        if (!parameters.encodings || !parameters.encodings.length) { return; } // not negotiated yet
        // A shared screen keeps its resolution (text must stay legible); its bitrate still adapts.
        parameters.encodings[0].scaleResolutionDownBy = sender.track === screenTrack ? 1 : scale;
        parameters.encodings[0].maxBitrate = bitrate;
        sender.setParameters(parameters).catch(function () { /* applied at the next negotiation */ });
      });
    });
  }

  // --- peers -----------------------------------------------------------------------------------------
  // Who offers: the newcomer, to each peer its welcome lists. Those already in the room add
  // nothing when told of a newcomer and answer the newcomer's offer with their tracks attached
  // (attachOutgoing), so the first negotiation has one offerer and no glare. Glare is still
  // possible later (a renegotiation, two people joining at once): perfect negotiation settles it.
  function addPeer(info, offering) {
    var pc = new RTCPeerConnection({ iceServers: iceServers, iceTransportPolicy: icePolicy });
    var entry = {
      pc: pc, name: info.name, isHost: info.is_host, polite: myPeer < info.peer,
      makingOffer: false, ignoreOffer: false, answerPending: false, queue: Promise.resolve(),
      stream: new MediaStream(), tile: null, iceTimer: null
    };
    peers[info.peer] = entry;

    var figure = el("figure", "video-tile");
    var captionId = "peer-caption-" + info.peer;
    figure.setAttribute("aria-labelledby", captionId);
    var video = document.createElement("video");
    video.setAttribute("data-testid", "remote-video");
    video.setAttribute("data-peer", info.name);
    video.setAttribute("playsinline", "");
    video.setAttribute("autoplay", "");
    video.setAttribute("aria-label", fill(text("VideoOf"), info.name));
    video.srcObject = entry.stream;
    var caption = el("figcaption", "", info.name);
    caption.id = captionId;
    figure.appendChild(video);
    figure.appendChild(caption);
    grid.appendChild(figure);
    entry.tile = figure;

    if (offering) {
      var sent = { audio: false, video: false };
      localStream.getTracks().forEach(function (track) {
        var outgoing = track.kind === "video" && screenTrack ? screenTrack : track;
        pc.addTrack(outgoing, localStream);
        sent[track.kind] = true;
      });
      if (screenTrack && !sent.video) { pc.addTrack(screenTrack, localStream); sent.video = true; }
      // Without a device we still want to see and hear the others.
      ["audio", "video"].forEach(function (kind) { if (!sent[kind]) { pc.addTransceiver(kind, { direction: "recvonly" }); } });
    }

    pc.addEventListener("track", function (event) {
      entry.stream.addTrack(event.track);
      event.track.addEventListener("ended", function () { entry.stream.removeTrack(event.track); });
    });
    pc.addEventListener("icecandidate", function (event) {
      if (!event.candidate) { return; }
      var candidate = event.candidate;
      send({ type: "signal", to: info.peer, candidate: {
        candidate: candidate.candidate, sdpMid: candidate.sdpMid,
        sdpMLineIndex: candidate.sdpMLineIndex, usernameFragment: candidate.usernameFragment
      } });
    });
    pc.addEventListener("negotiationneeded", function () {
      entry.makingOffer = true;
      pc.setLocalDescription().then(function () {
        send({ type: "signal", to: info.peer, description: { type: pc.localDescription.type, sdp: pc.localDescription.sdp } });
      }).catch(function () { /* a newer negotiation replaces this one */ }).then(function () {
        entry.makingOffer = false;
      });
    });
    // A connection that does not form after a negotiation (or drops) gets a fresh ICE session: the
    // impolite side restarts first, the polite one later only if that did not help.
    function watchIce() {
      window.clearTimeout(entry.iceTimer);
      entry.iceTimer = window.setTimeout(function () {
        var state = pc.iceConnectionState;
        if (peers[info.peer] !== entry || pc.signalingState !== "stable" || !pc.remoteDescription) { return; }
        if (state === "new" || state === "checking" || state === "disconnected") {
          pc.restartIce();
          watchIce();
        }
      }, entry.polite ? 2 * ICE_PATIENCE_MS : ICE_PATIENCE_MS);
    }
    pc.addEventListener("signalingstatechange", function () {
      if (pc.signalingState === "stable" && pc.remoteDescription) {
        var state = pc.iceConnectionState;
        if (state !== "connected" && state !== "completed") { watchIce(); }
      }
    });
    pc.addEventListener("iceconnectionstatechange", function () {
      var state = pc.iceConnectionState;
      if (state === "disconnected") { watchIce(); }
      if (state === "connected" || state === "completed") { window.clearTimeout(entry.iceTimer); }
      if (state === "failed") {
        figure.classList.add("video-tile-unreachable");
        say(fill(text("Unreachable"), entry.name));
        pc.restartIce();
      } else if (state === "connected" || state === "completed") {
        if (figure.classList.contains("video-tile-unreachable")) { say(text("Connected")); }
        figure.classList.remove("video-tile-unreachable");
        adaptQuality();
      }
    });
    (earlySignals[info.peer] || []).forEach(function (frame) { queueSignal(entry, frame); });
    delete earlySignals[info.peer];
    return entry;
  }

  function removePeer(id) {
    var entry = peers[id];
    if (!entry) { return; }
    delete peers[id];
    window.clearTimeout(entry.iceTimer);
    entry.pc.close();
    entry.stream.getTracks().forEach(function (track) { entry.stream.removeTrack(track); });
    if (entry.tile) { entry.tile.remove(); }
  }

  // Answering an offer: our camera, microphone (or shared screen) go out on the transceivers the
  // offer created, unless a sender of that kind already carries one.
  function attachOutgoing(pc) {
    var outgoing = { audio: trackOf("audio"), video: screenTrack || trackOf("video") };
    var transceivers = pc.getTransceivers().filter(function (transceiver) {
      return !transceiver.stopped && transceiver.currentDirection !== "stopped";
    });
    transceivers.forEach(function (transceiver) {
      var track = transceiver.sender.track;
      if (track && outgoing[track.kind] === track) { outgoing[track.kind] = null; }
    });
    var replacing = [];
    transceivers.forEach(function (transceiver) {
      if (transceiver.sender.track) { return; }
      var kind = transceiver.receiver.track.kind;
      var track = outgoing[kind];
      if (!track) { return; }
      outgoing[kind] = null;
      if (transceiver.sender.setStreams) { transceiver.sender.setStreams(localStream); }
      if (transceiver.direction === "recvonly") { transceiver.direction = "sendrecv"; }
      if (transceiver.direction === "inactive") { transceiver.direction = "sendonly"; }
      replacing.push(transceiver.sender.replaceTrack(track));
    });
    return Promise.all(replacing);
  }

  // One peer's messages in order: a candidate must not overtake its offer.
  function queueSignal(entry, frame) {
    entry.queue = entry.queue.then(function () { return onSignal(frame); }).catch(function () { /* next offer recovers */ });
  }

  function onSignal(frame) {
    var entry = peers[frame.from];
    if (!entry) { return Promise.resolve(); }
    var pc = entry.pc;
    if (frame.description) {
      var description = frame.description;
      var readyForOffer = !entry.makingOffer && (pc.signalingState === "stable" || entry.answerPending);
      var collision = description.type === "offer" && !readyForOffer;
      entry.ignoreOffer = !entry.polite && collision;
      if (entry.ignoreOffer) { return Promise.resolve(); }
      entry.answerPending = description.type === "answer";
      return pc.setRemoteDescription(description).then(function () {
        entry.answerPending = false;
        if (description.type !== "offer") { adaptQuality(); return null; }
        return attachOutgoing(pc).then(function () { return pc.setLocalDescription(); }).then(function () {
          send({ type: "signal", to: frame.from, description: { type: pc.localDescription.type, sdp: pc.localDescription.sdp } });
        });
      });
    }
    if (frame.candidate) {
      return pc.addIceCandidate(frame.candidate).catch(function (error) {
        if (!entry.ignoreOffer) { throw error; }
      });
    }
    return Promise.resolve();
  }

  function syncPeers(list, announce, offering) {
    var present = {};
    list.forEach(function (info) {
      present[info.peer] = true;
      if (!peers[info.peer]) {
        addPeer(info, offering);
        if (announce) { say(fill(text("PeerJoined"), info.name)); }
      }
    });
    Object.keys(peers).forEach(function (id) {
      if (!present[id]) {
        var name = peers[id].name;
        removePeer(id);
        if (announce) { say(fill(text("PeerLeft"), name)); }
      }
    });
    showParticipants();
    adaptQuality();
  }

  function showParticipants() {
    participantList.textContent = "";
    var me = el("li");
    me.setAttribute("data-testid", "participant");
    me.appendChild(el("span", "", text("You") + (isHost ? " (" + text("Host") + ")" : "")));
    participantList.appendChild(me);
    Object.keys(peers).forEach(function (id) {
      var entry = peers[id];
      var item = el("li");
      item.setAttribute("data-testid", "participant");
      item.appendChild(el("span", "", entry.name + (entry.isHost ? " (" + text("Host") + ")" : "")));
      if (isHost && !entry.isHost) {
        var remove = el("button", "secondary", text("Remove"));
        remove.type = "button";
        // The visible name is "Remove"; the accessible description says whom.
        remove.setAttribute("aria-describedby", "peer-caption-" + id);
        remove.addEventListener("click", function () { send({ type: "participant.remove", peer: id }); });
        item.appendChild(remove);
      }
      participantList.appendChild(item);
    });
  }

  // --- leaving and the end -------------------------------------------------------------------------
  function tearDown() {
    Object.keys(peers).forEach(removePeer);
    showParticipants();
  }

  function finish(message) {
    if (finished) { return; }
    finished = true;
    tearDown();
    stopShare();
    localStream.getTracks().forEach(function (track) { track.stop(); });
    localVideo.srcObject = null;
    if (socket) { socket.close(1000); }
    [cameraButton, microphoneButton, shareButton, crisisButton, endButton].forEach(function (button) {
      if (button) { button.disabled = true; }
    });
    say(message);
    endedText.textContent = message;
    endedBox.hidden = false;
    endedBox.focus();
  }

  // --- the socket ------------------------------------------------------------------------------------
  function freshToken() {
    // The page's token lives a minute; after that (or for a reconnect) ask for a new one.
    if (pendingToken && Date.now() - tokenIssuedAt < 45000) {
      var token = pendingToken;
      pendingToken = null;
      return Promise.resolve(token);
    }
    return fetch(root.dataset.tokenUrl, {
      method: "POST", credentials: "same-origin",
      headers: { "X-CSRFToken": root.dataset.csrf, "Accept": "application/json" }
    }).then(function (response) {
      if (response.status === 401) { throw { final: text("SignedOut") }; }
      if (response.status === 403 || response.status === 404 || response.status === 409) { throw { final: text("Refused") }; }
      if (!response.ok) { throw { retry: true }; }
      return response.json();
    }).then(function (fresh) {
      iceServers = fresh.ice_servers || [];
      icePolicy = fresh.ice_transport_policy === "relay" ? "relay" : "all";
      return fresh.token;
    });
  }

  var frames = {
    "welcome": function (frame) {
      myPeer = frame.peer;
      isHost = frame.is_host;
      retryDelay = 1000;
      syncPeers(frame.peers, false, true);
      say(frame.peers.length ? text("Connected") : text("Waiting"));
    },
    "presence": function (frame) { syncPeers(frame.peers, true, false); },
    "signal": function (frame) {
      var entry = peers[frame.from];
      if (!entry) {
        // A newcomer's offer can arrive before the presence frame that announces them: keep it
        // for when they are added (dropping it would leave both sides waiting for an answer).
        var waiting = earlySignals[frame.from] = earlySignals[frame.from] || [];
        if (waiting.length < 200) { waiting.push(frame); }
        return;
      }
      queueSignal(entry, frame);
    },
    "crisis": function () { banner.hidden = false; },
    "full": function () { finish(text("Full")); },
    "removed": function () { finish(text("Removed")); },
    "ended": function () { finish(text("Ended")); },
    "closed": function () { finish(text("Closed")); },
    "replaced": function () { finish(text("Replaced")); }
  };

  function connect() {
    if (finished) { return; }
    freshToken().then(function (token) {
      var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
      socket = new WebSocket(scheme + window.location.host + grant.socket_path + "?token=" + encodeURIComponent(token));
      socket.addEventListener("message", function (event) {
        var frame = JSON.parse(event.data);
        if (frames[frame.type]) { frames[frame.type](frame); }
      });
      socket.addEventListener("close", function (event) {
        if (finished) { return; }
        if (event.code === 4001) { finish(text("SignedOut")); return; }
        if (event.code === 4003) { finish(text("Removed")); return; }
        if (event.code === 4000 || event.code === 4009 || event.code === 4010) { finish(text("Closed")); return; }
        // The network or the server went away: the others see us leave; start again when back.
        tearDown();
        reconnectLater();
      });
    }).catch(function (problem) {
      if (problem && problem.final) { finish(problem.final); return; }
      reconnectLater();
    });
  }

  function reconnectLater() {
    say(text("Reconnecting"));
    window.setTimeout(connect, retryDelay);
    retryDelay = Math.min(retryDelay * 2, 30000);
  }

  // --- controls -----------------------------------------------------------------------------------------
  cameraButton.addEventListener("click", function () { toggle("video"); });
  microphoneButton.addEventListener("click", function () { toggle("audio"); });
  shareButton.addEventListener("click", function () { if (screenTrack) { stopShare(); } else { startShare(); } });
  leaveButton.addEventListener("click", function () {
    finished = true;
    if (socket) { socket.close(1000); }
    tearDown();
    localStream.getTracks().forEach(function (track) { track.stop(); });
    window.location.assign(root.dataset.backUrl);
  });
  cameraSelect.addEventListener("change", function () { switchDevice("video", cameraSelect.value); });
  microphoneSelect.addEventListener("change", function () { switchDevice("audio", microphoneSelect.value); });
  if (navigator.mediaDevices && navigator.mediaDevices.addEventListener) {
    navigator.mediaDevices.addEventListener("devicechange", listDevices);
  }
  if (crisisButton) { crisisButton.addEventListener("click", function () { send({ type: "room.crisis" }); }); }
  if (endButton) {
    endButton.addEventListener("click", function () {
      if (window.confirm(text("EndConfirm"))) { send({ type: "room.end" }); }
    });
  }
  window.addEventListener("pagehide", function () { if (socket) { socket.close(1000); } });

  refreshToggles();
  showParticipants();
  // Media first, so that the first offers already carry our camera and microphone.
  startMedia().then(connect);
}());
