package dev.asyncqueue.http;

import java.util.List;
import java.util.Map;

/** What came back: the status, the headers with lower-case names, and the body (empty when not read). */
record Answer(int status, Map<String, List<String>> headers, byte[] body) {
}
