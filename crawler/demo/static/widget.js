/* Demo support chat on chat.supportwidget.test. On every page it connects a websocket and
   sends the "context" the page configured (window.supportChat), so that an agent knows
   who is asking before the citizen has typed anything. */
(function () {
  var button = document.createElement("button");
  button.type = "button";
  button.className = "chat-button";
  button.textContent = "Chat med os";
  document.body.appendChild(button);
  var socket = new WebSocket("ws://chat.supportwidget.test/socket");
  socket.onopen = function () {
    socket.send(JSON.stringify({type: "hello", site: location.hostname, context: window.supportChat || {}}));
  };
})();
