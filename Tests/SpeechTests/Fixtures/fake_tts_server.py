"""A local HTTP server that answers as the cloud TTS providers do, for TouchBase's tests.

Routes follow each provider's documented API: OpenAI-compatible /v1/audio/speech, Google
/v1/text:synthesize, Azure /cognitiveservices/v1, ElevenLabs /v1/text-to-speech/{voice},
Amazon Polly /v1/speech (SynthesizeSpeech; the AWS Signature Version 4 is checked with the
secret below, as AWS does: 403 MissingAuthenticationTokenException without one,
InvalidSignatureException when it does not match; a Text over 3,000 characters is a 400
TextLengthExceededException).
The words choose a fault: RATE_LIMIT_ONCE (429 with Retry-After, then success), SERVER_ERROR
(5xx with the provider's error body), TRUNCATE (a body shorter than its Content-Length),
SLOW (answers after 5 s), EMPTY (200 with no body), THROTTLE_ONCE (Polly-style 400
ThrottlingException). GET /count tells how many synthesis requests were served.
Prints its port on the first line of stdout; binds 127.0.0.1 only.
"""
import base64, hashlib, hmac, http.server, json, math, struct, sys, threading, time

POLLY_KEYS = {"AKIDPOLLYTEST": "polly/secret+KEY"}

count = 0
seen_once = set()
lock = threading.Lock()

def tone(rate, seconds=0.6):
    n = int(rate * seconds)
    return b"".join(struct.pack("<h", int(8000 * math.sin(2 * math.pi * 440 * i / rate))) for i in range(n))

def wav(pcm, rate):
    return (b"RIFF" + struct.pack("<I", 36 + len(pcm)) + b"WAVEfmt " + struct.pack("<IHHIIHH", 16, 1, 1, rate, rate * 2, 2, 16)
            + b"data" + struct.pack("<I", len(pcm)) + pcm)

def sigv4_problem(handler, body):
    """Why the request's AWS Signature Version 4 is refused, as (type, message), or None."""
    auth = handler.headers.get("Authorization", "")
    amz_date = handler.headers.get("X-Amz-Date")
    if not auth.startswith("AWS4-HMAC-SHA256 ") or not amz_date:
        return "MissingAuthenticationTokenException", "Missing Authentication Token"
    fields = dict(part.strip().split("=", 1) for part in auth[len("AWS4-HMAC-SHA256 "):].split(","))
    key_id, day, region, service, terminal = fields["Credential"].split("/")
    if key_id not in POLLY_KEYS:
        return "UnrecognizedClientException", "The security token included in the request is invalid."
    if service != "polly" or terminal != "aws4_request" or not amz_date.startswith(day):
        return "InvalidSignatureException", "Credential should be scoped to a valid region and service."
    signed = fields["SignedHeaders"].split(";")
    if "host" not in signed or "x-amz-date" not in signed:
        return "InvalidSignatureException", "Signed headers must include host and x-amz-date."
    if handler.headers.get("X-Amz-Security-Token") and "x-amz-security-token" not in signed:
        return "InvalidSignatureException", "X-Amz-Security-Token must be signed."
    canonical_headers = "".join(f"{name}:{' '.join(handler.headers.get(name, '').split())}\n" for name in signed)
    canonical = "\n".join(["POST", handler.path.split("?")[0], "", canonical_headers, ";".join(signed), hashlib.sha256(body).hexdigest()])
    scope = f"{day}/{region}/{service}/aws4_request"
    to_sign = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope, hashlib.sha256(canonical.encode()).hexdigest()])
    key = ("AWS4" + POLLY_KEYS[key_id]).encode()
    for part in (day, region, service, "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    if not hmac.compare_digest(hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest(), fields["Signature"]):
        return "InvalidSignatureException", ("The request signature we calculated does not match the signature you provided. "
                                             "Check your AWS Secret Access Key and signing method.")
    return None

class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def send(self, status, body, content_type="application/octet-stream", headers=(), length=None):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body) if length is None else length))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()

    def do_GET(self):
        if self.path == "/count":
            self.send(200, str(count).encode(), "text/plain")
        else:
            self.send(404, b"not found", "text/plain")

    def fault(self, words, error_body, error_type="application/json"):
        key = (self.path.split("?")[0], words)
        if "RATE_LIMIT_ONCE" in words:
            with lock:
                first = key not in seen_once
                seen_once.add(key)
            if first:
                self.send(429, error_body(429, "Rate limit reached"), error_type, [("Retry-After", "1")])
                return True
        if "THROTTLE_ONCE" in words:
            with lock:
                first = key not in seen_once
                seen_once.add(key)
            if first:
                self.send(400, json.dumps({"__type": "ThrottlingException", "message": "Rate exceeded"}).encode(), "application/x-amz-json-1.0")
                return True
        if "SERVER_ERROR" in words:
            self.send(503, error_body(503, "The service is unavailable"), error_type)
            return True
        if "SLOW" in words:
            time.sleep(5)
        if "EMPTY" in words:
            self.send(200, b"")
            return True
        return False

    def do_POST(self):
        global count
        with lock:
            count += 1
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        path = self.path.split("?")[0]
        if path == "/v1/audio/speech":
            request = json.loads(body)
            if self.headers.get("Authorization") != "Bearer sk-test":
                self.send(401, json.dumps({"error": {"message": "Incorrect API key provided", "type": "invalid_request_error", "code": "invalid_api_key"}}).encode(), "application/json")
                return
            assert set(request) >= {"model", "voice", "input", "response_format"}, request
            err = lambda code, msg: json.dumps({"error": {"message": msg, "type": "server_error", "code": None}}).encode()
            if self.fault(request["input"], err):
                return
            pcm = tone(24000)
            if "TRUNCATE" in request["input"]:
                self.send(200, pcm[: len(pcm) // 2], length=len(pcm))
                self.close_connection = True
                return
            self.send(200, pcm, "audio/pcm")
        elif path == "/v1/text:synthesize":
            request = json.loads(body)
            if "key=google-test" not in self.path:
                self.send(403, json.dumps({"error": {"code": 403, "message": "API key not valid. Please pass a valid API key.", "status": "PERMISSION_DENIED"}}).encode(), "application/json")
                return
            words = request["input"].get("text") or request["input"].get("ssml")
            err = lambda code, msg: json.dumps({"error": {"code": code, "message": msg, "status": "RESOURCE_EXHAUSTED" if code == 429 else "UNAVAILABLE"}}).encode()
            if self.fault(words, err):
                return
            rate = request["audioConfig"]["sampleRateHertz"]
            assert request["audioConfig"]["audioEncoding"] == "LINEAR16"
            self.send(200, json.dumps({"audioContent": base64.b64encode(wav(tone(rate), rate)).decode()}).encode(), "application/json")
        elif path == "/cognitiveservices/v1":
            if self.headers.get("Ocp-Apim-Subscription-Key") != "azure-test":
                self.send(401, b"", "text/plain")
                return
            ssml = body.decode()
            assert ssml.startswith("<speak") and self.headers.get("Content-Type") == "application/ssml+xml", ssml
            if self.fault(ssml, lambda code, msg: b"", "text/plain"):
                return
            rate = 8000 if self.headers.get("X-Microsoft-OutputFormat") == "raw-8khz-16bit-mono-pcm" else 16000
            self.send(200, tone(rate), "audio/x-wav")
        elif path.startswith("/v1/text-to-speech/"):
            request = json.loads(body)
            if self.headers.get("xi-api-key") != "eleven-test":
                self.send(401, json.dumps({"detail": {"status": "invalid_api_key", "message": "Invalid API key"}}).encode(), "application/json")
                return
            err = lambda code, msg: json.dumps({"detail": {"status": "too_many_concurrent_requests" if code == 429 else "server_error", "message": msg}}).encode()
            if self.fault(request["text"], err):
                return
            if "output_format=ulaw_8000" in self.path:
                self.send(200, bytes([0xFF, 0x7F] * 4000), "audio/basic")
            else:
                self.send(200, tone(16000), "audio/pcm")
        elif path == "/v1/speech":
            problem = sigv4_problem(self, body)
            if problem:
                kind, message = problem
                self.send(403, json.dumps({"message": message}).encode(), "application/json", [("x-amzn-ErrorType", kind + ":")])
                return
            request = json.loads(body)
            assert set(request) >= {"OutputFormat", "Text", "VoiceId"}, request
            assert request["OutputFormat"] == "pcm" and request["SampleRate"] in ("8000", "16000"), request
            assert request["TextType"] in ("text", "ssml") and (request["TextType"] == "ssml") == request["Text"].startswith("<speak"), request
            err = lambda code, msg: json.dumps({"__type": "ServiceFailureException", "message": msg}).encode()
            if self.fault(request["Text"], err, "application/x-amz-json-1.0"):
                return
            if len(request["Text"]) > 3000:
                self.send(400, json.dumps({"message": "Maximum text length has been exceeded"}).encode(), "application/json",
                          [("x-amzn-ErrorType", "TextLengthExceededException:http://internal.amazon.com/coral/com.amazonaws.parrot.service/")])
                return
            rate = int(request["SampleRate"])
            self.send(200, tone(rate), "audio/pcm", [("x-amzn-RequestCharacters", str(len(request["Text"])))])
        else:
            self.send(404, b"not found", "text/plain")

server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
