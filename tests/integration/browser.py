"""Headless Chromium (Debian's `chromium`) driven over the DevTools protocol, for the status page's
test: no network, no npm; the websocket client is Debian's python3-websocket.

    with Chromium(port, profile_dir) as browser:
        browser.navigate("http://127.0.0.1:8443/")
        browser.evaluate("document.title")
        browser.screenshot(path)

The browser listens for the protocol on 127.0.0.1:port only, with a throw-away profile.
"""
import base64
import itertools
import json
import os
import subprocess
import urllib.request

import websocket  # python3-websocket

from harness import wait_until

CHROMIUM = os.environ.get("GROUTER_CHROMIUM", "/usr/bin/chromium")


class Chromium:
    def __init__(self, port, profile_dir):
        self.port = port
        self.profile_dir = profile_dir
        self.proc = None
        self.ws = None
        self.ids = itertools.count(1)

    def __enter__(self):
        args = [CHROMIUM, "--headless=new", "--disable-gpu", "--no-first-run",
                "--no-default-browser-check", "--disable-background-networking",
                "--disable-component-update", "--disable-extensions", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=1280,1000",
                "--remote-debugging-address=127.0.0.1", f"--remote-debugging-port={self.port}",
                f"--user-data-dir={self.profile_dir}", "about:blank"]
        if os.geteuid() == 0:
            args.insert(1, "--no-sandbox")  # Chromium refuses to run as root with its sandbox
        self.log = open(os.path.join(self.profile_dir, "chromium.log"), "wb")
        self.proc = subprocess.Popen(args, stdout=self.log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL)
        target = wait_until(self._page_target, 30, f"chromium's DevTools on port {self.port}")
        self.ws = websocket.create_connection(target["webSocketDebuggerUrl"], timeout=15,
                                              suppress_origin=True)
        self.call("Page.enable")
        self.call("Runtime.enable")
        return self

    def __exit__(self, *exc):
        if self.ws is not None:
            self.ws.close()
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()

    def _page_target(self):
        if self.proc.poll() is not None:
            raise AssertionError(f"chromium exited with {self.proc.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/json/list", timeout=2) as r:
                targets = json.load(r)
        except OSError:
            return None
        return next((t for t in targets if t.get("type") == "page"), None)

    def call(self, method, **params):
        """Sends one DevTools command and returns its result (AssertionError on an error)."""
        call_id = next(self.ids)
        self.ws.send(json.dumps({"id": call_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") != call_id:
                continue  # an event
            if "error" in message:
                raise AssertionError(f"{method}: {message['error']}")
            return message["result"]

    def evaluate(self, expression):
        """The JSON value of a JavaScript expression in the page."""
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        if "exceptionDetails" in result:
            raise AssertionError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def navigate(self, url, timeout_s=15):
        self.call("Page.navigate", url=url)
        wait_until(lambda: self.evaluate("location.href") == url and
                   self.evaluate("document.readyState") == "complete", timeout_s,
                   f"{url} to load")

    def screenshot(self, path):
        data = self.call("Page.captureScreenshot", format="png")["data"]
        with open(path, "wb") as f:
            f.write(base64.b64decode(data))
        return path
