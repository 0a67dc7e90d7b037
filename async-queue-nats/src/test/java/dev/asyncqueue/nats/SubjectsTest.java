package dev.asyncqueue.nats;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SubjectsTest {

    @Test
    void functionNamesWithDotsBecomeOneSubjectToken() {
        assertEquals("faas-request.fn.figlet_2Eopenfaas-fn", Subjects.forFunction("faas-request", "figlet.openfaas-fn"));
        assertEquals("OF_faas-request", Subjects.streamName("faas-request"));
        assertEquals("faas-request.fn.*", Subjects.allFunctions("faas-request"));
    }

    @Test
    void encodingIsInjectiveAndReversibleForNamesThatLookAlike() {
        String[] lookAlikes = {"a.b", "a_b", "a_2Eb", "a-b", "A.b", "a..b", "a_", "_2E", "é"};
        Map<String, String> seen = new HashMap<>();
        for (String name : lookAlikes) {
            String token = Subjects.encodeToken(name);
            assertTrue(token.matches("[-A-Za-z0-9_]+"), token);
            assertNull(seen.put(token, name), "two names share token " + token);
            assertEquals(name, Subjects.decodeToken(token));
        }
    }

    @Test
    void randomNamesRoundTripThroughTheSubject() {
        Random random = new Random(42);
        String alphabet = "abcXYZ019-_.";
        for (int i = 0; i < 5_000; i++) {
            StringBuilder name = new StringBuilder();
            int length = 1 + random.nextInt(12);
            for (int j = 0; j < length; j++) name.append(alphabet.charAt(random.nextInt(alphabet.length())));
            String subject = Subjects.forFunction("q", name.toString());
            assertFalse(subject.substring("q.fn.".length()).contains("."), subject);
            assertEquals(name.toString(), Subjects.functionOf("q", subject).orElseThrow());
        }
    }

    @Test
    void theLegacySubjectCarriesNoFunction() {
        assertTrue(Subjects.functionOf("faas-request", "faas-request").isEmpty());
        assertTrue(Subjects.functionOf("faas-request", "other.fn.x").isEmpty());
    }
}
