(() => {
  // cpraudit contain mode, put before a worker's own script: its websockets connect, and send
  // each frame, only when the audit allows it (see crawler/record/addons/worker_gate.py). Playwright
  // routes the websockets of pages; no browser hook stops a worker's before it leaves.
  if (self.__cpraudit_gate || typeof self.WebSocket !== "function") return;
  Object.defineProperty(self, "__cpraudit_gate", { value: true });
  const Native = self.WebSocket;
  // asked of the worker's origin; a data: worker has none, so a name that never resolves (the
  // interception answers the question before any lookup)
  const GATE = new URL(
    "__GATE__",
    self.location.origin === "null" ? "https://cpraudit.invalid" : self.location.origin
  ).href;
  const ask = (question) =>
    fetch(GATE, { method: "POST", body: JSON.stringify(question), cache: "no-store" })
      .then((answer) => answer.json())
      .then((answer) => answer.allow === true, () => false);
  const bytes = async (data) => {
    const buffer = data instanceof Blob ? await data.arrayBuffer() : data;
    const view = ArrayBuffer.isView(buffer)
      ? new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength)
      : new Uint8Array(buffer);
    let text = "";
    for (const byte of view) text += String.fromCharCode(byte);
    return btoa(text);
  };
  const size = (data) =>
    typeof data === "string" ? new Blob([data]).size : data.size ?? data.byteLength;

  class WebSocket extends EventTarget {
    constructor(url, protocols) {
      super();
      const target = new URL(url, self.location.href);
      target.protocol = { "http:": "ws:", "https:": "wss:" }[target.protocol] || target.protocol;
      this.url = target.href;
      this.readyState = 0;
      this.bufferedAmount = 0;
      this.protocol = "";
      this.extensions = "";
      this.onopen = this.onmessage = this.onerror = this.onclose = null;
      this._binaryType = "blob";
      this._sending = Promise.resolve();
      this._socket = null;
      ask({ op: "open", url: this.url }).then((allow) =>
        allow ? this._connect(protocols) : this._refuse()
      );
    }
    get binaryType() {
      return this._binaryType;
    }
    set binaryType(value) {
      this._binaryType = value;
      if (this._socket) this._socket.binaryType = value;
    }
    send(data) {
      if (this.readyState === 0)
        throw new DOMException("Still in CONNECTING state.", "InvalidStateError");
      if (this.readyState !== 1) return;
      const length = size(data);
      this.bufferedAmount += length;
      this._sending = this._sending.then(async () => {
        const frame = typeof data === "string" ? { text: data } : { base64: await bytes(data) };
        const allow = await ask({ op: "send", url: this.url, ...frame });
        this.bufferedAmount -= length;
        if (allow && this._socket && this._socket.readyState === 1) this._socket.send(data);
      });
    }
    close(code, reason) {
      if (this._socket) return this._socket.close(code, reason);
      if (this.readyState < 2) this._closed(1005, "", true);
    }
    _connect(protocols) {
      if (this.readyState !== 0) return;
      const socket = protocols === undefined ? new Native(this.url) : new Native(this.url, protocols);
      this._socket = socket;
      socket.binaryType = this._binaryType;
      socket.onopen = () => {
        this.readyState = 1;
        this.protocol = socket.protocol;
        this.extensions = socket.extensions;
        this._fire(new Event("open"));
      };
      socket.onmessage = (e) =>
        this._fire(new MessageEvent("message", { data: e.data, origin: e.origin }));
      socket.onerror = () => this._fire(new Event("error"));
      socket.onclose = (e) => this._closed(e.code, e.reason, e.wasClean);
    }
    _refuse() {
      if (this.readyState !== 0) return;
      this._fire(new Event("error"));
      this._closed(1006, "", false);
    }
    _closed(code, reason, wasClean) {
      this.readyState = 3;
      this._fire(new CloseEvent("close", { code, reason, wasClean }));
    }
    _fire(event) {
      const handler = this["on" + event.type];
      if (typeof handler === "function") handler.call(this, event);
      this.dispatchEvent(event);
    }
  }
  ["CONNECTING", "OPEN", "CLOSING", "CLOSED"].forEach((name, value) => {
    Object.defineProperty(WebSocket, name, { value });
    Object.defineProperty(WebSocket.prototype, name, { value });
  });
  self.WebSocket = WebSocket;
})();
