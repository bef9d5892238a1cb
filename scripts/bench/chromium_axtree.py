#!/usr/bin/env python3
"""Yardstick for `nnetnav-bench browser`: headless Chromium doing one observation the way WebArena
does (Page.navigate, wait for the load event, Accessibility.getFullAXTree) over the DevTools
protocol. Standard library only: the WebSocket client below is the minimum CDP needs."""
import argparse, base64, json, os, socket, statistics, struct, subprocess, tempfile, time, urllib.request


class DevTools:
    def __init__(self, ws_url):
        host_port, path = ws_url[len("ws://"):].split("/", 1)
        host, port = host_port.split(":")
        self.sock = socket.create_connection((host, int(port)))
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall((f"GET /{path} HTTP/1.1\r\nHost: {host_port}\r\nUpgrade: websocket\r\n"
                           f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
        response = b""
        while b"\r\n\r\n" not in response:
            response += self.sock.recv(4096)
        if b" 101 " not in response.split(b"\r\n")[0]:
            raise RuntimeError(f"websocket handshake failed: {response[:200]!r}")
        self.buffer = response.split(b"\r\n\r\n", 1)[1]
        self.next_id = 0

    def _recv_exact(self, n):
        while len(self.buffer) < n:
            chunk = self.sock.recv(1 << 20)
            if not chunk:
                raise RuntimeError("connection closed")
            self.buffer += chunk
        data, self.buffer = self.buffer[:n], self.buffer[n:]
        return data

    def _recv_message(self):
        message = b""
        while True:
            b0, b1 = self._recv_exact(2)
            length = b1 & 0x7F
            if length == 126:
                length = struct.unpack(">H", self._recv_exact(2))[0]
            elif length == 127:
                length = struct.unpack(">Q", self._recv_exact(8))[0]
            message += self._recv_exact(length)
            if b0 & 0x80:
                return json.loads(message)

    def send(self, method, params=None, wait_event=None):
        self.next_id += 1
        payload = json.dumps({"id": self.next_id, "method": method, "params": params or {}}).encode()
        mask = os.urandom(4)
        header = bytes([0x81])
        n = len(payload)
        header += bytes([0x80 | n]) if n < 126 else (bytes([0x80 | 126]) + struct.pack(">H", n) if n < 65536
                                                     else bytes([0x80 | 127]) + struct.pack(">Q", n))
        self.sock.sendall(header + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload)))
        result, event_seen = None, wait_event is None
        while result is None or not event_seen:
            message = self._recv_message()
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise RuntimeError(message["error"])
                result = message["result"]
            elif message.get("method") == wait_event:
                event_seen = True
        return result


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--chromium", default="chromium")
    parser.add_argument("--url", required=True)
    parser.add_argument("--iterations", type=int, default=50)
    args = parser.parse_args()
    profile = tempfile.mkdtemp(prefix="nnetnav-chromium-")
    proc = subprocess.Popen([args.chromium, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
                             "--remote-debugging-port=0", f"--user-data-dir={profile}", "about:blank"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        port_file = os.path.join(profile, "DevToolsActivePort")
        deadline = time.time() + 30
        while not os.path.exists(port_file) or os.path.getsize(port_file) == 0:
            if time.time() > deadline or proc.poll() is not None:
                raise SystemExit("chromium did not start: " + (proc.stderr.read(2000) if proc.poll() is not None else "timeout"))
            time.sleep(0.05)
        port = open(port_file).read().split()[0]
        targets = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list"))
        page = next(t for t in targets if t["type"] == "page")
        cdp = DevTools(page["webSocketDebuggerUrl"])
        cdp.send("Page.enable")
        cdp.send("Accessibility.enable")
        times, nodes = [], 0
        for i in range(args.iterations + 2):
            start = time.perf_counter()
            cdp.send("Page.navigate", {"url": args.url}, wait_event="Page.loadEventFired")
            tree = cdp.send("Accessibility.getFullAXTree")
            elapsed = (time.perf_counter() - start) * 1000
            nodes = len(tree["nodes"])
            if i >= 2:  # the first loads warm up the renderer
                times.append(elapsed)
        times.sort()
        print(f"ax nodes {nodes}")
        print(f"p90_ms {times[int(0.9 * (len(times) - 1))]:.2f}")
        print(f"median_ms {statistics.median(times):.2f}")
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


if __name__ == "__main__":
    main()
