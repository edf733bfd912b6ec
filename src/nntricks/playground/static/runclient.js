// One training run on the server as the page sees it: its id and settings, its event stream of
// snapshots, and the requests that create, configure, command and stop it. The page holds one
// (run A) or two (A and B, when comparing).

export function cloneConfig(config) {
  return { ...config, features: [...config.features], hidden: [...config.hidden] };
}

// A JSON request; reportError gets the server's message for a failed one, null for a good one.
export async function api(method, path, body, reportError = () => {}) {
  const options = { method };
  if (body !== undefined) {
    options.headers = { "Content-Type": "application/json" };
    options.body = JSON.stringify(body);
  }
  try {
    const response = await fetch(path, options);
    const data = response.status === 204 ? null : await response.json().catch(() => null);
    if (!response.ok) {
      reportError((data && data.error) || `${method} ${path} failed (HTTP ${response.status})`);
      return { ok: false, status: response.status, body: data };
    }
    reportError(null);
    return { ok: true, status: response.status, body: data };
  } catch (err) {
    reportError(`Cannot reach the server (${err.message})`);
    return { ok: false, status: 0, body: null };
  }
}

function deleteRun(id) {
  fetch(`/api/runs/${encodeURIComponent(id)}`, { method: "DELETE", keepalive: true }).catch(() => {});
}

export class RunClient {
  // name: "" for run A, "B" for run B (it suffixes the error kinds given to hooks.setError).
  // hooks: setError(kind, message), adopt(client, serverConfig) (the server's normalized
  // settings), snapshot(client) (a new snapshot arrived).
  constructor(name, config, hooks) {
    this.name = name;
    this.config = cloneConfig(config);
    this.hooks = hooks;
    this.id = null;
    this.lastSnapshot = null;
    this.snapshotsReceived = 0;
    this.editVersion = 0;
    this.pendingCreation = null;
    this.eventSource = null;
    this.syncTimer = null;
    this.recoverTimer = null;
    this.disposed = false;
  }

  setError(kind, message) {
    if (!this.disposed) this.hooks.setError(`${kind}${this.name}`, message);
  }

  // A request to the run's own API (suffix "/config", "/command", ...), or to /api/runs for null.
  request(method, suffix, body) {
    const path = suffix === null ? "/api/runs" : `/api/runs/${encodeURIComponent(this.id)}${suffix}`;
    return api(method, path, body, (message) => this.setError("request", message));
  }

  // A change made in the page; sync() tells the server.
  edit(patch) {
    this.config = { ...cloneConfig(this.config), ...patch };
    this.editVersion += 1;
  }

  create() {
    if (!this.pendingCreation) {
      this.pendingCreation = (async () => {
        const version = this.editVersion;
        const result = await this.request("POST", null, this.config);
        if (!result.ok) return false;
        if (this.disposed) { // given up while being created
          deleteRun(result.body.id);
          return false;
        }
        this.id = result.body.id;
        if (version === this.editVersion) this.hooks.adopt(this, result.body.config);
        this.openStream();
        return true;
      })().finally(() => { this.pendingCreation = null; });
    }
    return this.pendingCreation;
  }

  async ensure() {
    if (this.pendingCreation) await this.pendingCreation;
    return !this.disposed && (this.id !== null || this.create());
  }

  sync({ debounce = false } = {}) {
    clearTimeout(this.syncTimer);
    if (!debounce) return this.syncNow();
    this.syncTimer = setTimeout(() => this.syncNow(), 150);
    return Promise.resolve(true);
  }

  async syncNow() {
    clearTimeout(this.syncTimer);
    if (this.pendingCreation) await this.pendingCreation;
    if (this.disposed) return false;
    if (this.id === null) return this.create();
    const version = this.editVersion;
    const result = await this.request("PUT", "/config", this.config);
    if (this.disposed) return false;
    if (result.ok && version === this.editVersion) this.hooks.adopt(this, result.body.config);
    if (result.status === 404) return this.recreate();
    return result.ok;
  }

  // "play", "pause", "step" or "reset": whether the run now plays, or null when it failed.
  async command(action) {
    if (!(await this.ensure())) return null;
    const result = await this.request("POST", "/command", { action });
    if (result.ok) return result.body.playing;
    if (result.status === 404 && !this.disposed && (await this.recreate())) return this.command(action);
    return null;
  }

  recreate() {
    this.closeStream();
    this.id = null;
    return this.create();
  }

  // The page goes (or the run is given up): stop the run on the server.
  leave() {
    this.closeStream();
    clearTimeout(this.syncTimer);
    if (this.id === null) return;
    deleteRun(this.id);
    this.id = null;
  }

  dispose() {
    this.leave();
    this.disposed = true;
  }

  closeStream() {
    this.eventSource?.close();
    this.eventSource = null;
    clearTimeout(this.recoverTimer);
  }

  openStream() {
    this.closeStream();
    const source = new EventSource(`/api/runs/${encodeURIComponent(this.id)}/events`);
    this.eventSource = source;
    source.onopen = () => this.setError("stream", null);
    source.onmessage = (event) => {
      if (source !== this.eventSource) return;
      let snapshot;
      try {
        snapshot = JSON.parse(event.data);
      } catch {
        return;
      }
      this.lastSnapshot = snapshot;
      this.snapshotsReceived += 1;
      this.setError("stream", null);
      this.hooks.snapshot(this);
    };
    source.onerror = () => {
      if (source !== this.eventSource) return;
      this.setError("stream", "disconnected");
      // The browser retries by itself unless the stream was refused; then check the run still exists.
      if (source.readyState === EventSource.CLOSED) this.recoverTimer = setTimeout(() => this.recoverStream(), 3000);
    };
  }

  async recoverStream() {
    if (this.disposed) return false;
    if (this.id === null) return this.create();
    const ok = await this.syncNow(); // a 404 here recreates the run
    if (ok && this.eventSource?.readyState === EventSource.CLOSED) this.openStream();
    else if (!ok && !this.disposed) this.recoverTimer = setTimeout(() => this.recoverStream(), 3000);
    return ok;
  }
}
