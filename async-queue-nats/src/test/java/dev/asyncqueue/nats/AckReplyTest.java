package dev.asyncqueue.nats;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class AckReplyTest {

    @Test
    void readsTheDeliveryCountAndStreamSequenceOfTheFirstLayout() {
        assertEquals(new AckReply(3, 1234),
                AckReply.parse("$JS.ACK.OF_orders.faas-workers.3.1234.77.1700000000000000000.12"));
    }

    @Test
    void readsTheLayoutWithADomainAndAnAccountHashWithOrWithoutItsTrailingToken() {
        assertEquals(new AckReply(1, 42),
                AckReply.parse("$JS.ACK.hub.ACCHASH.OF_orders.faas-workers.1.42.9.1700000000000000000.0"));
        assertEquals(new AckReply(2, 43),
                AckReply.parse("$JS.ACK._.ACCHASH.OF_orders.faas-workers.2.43.9.1700000000000000000.0.r4nd0m"));
    }

    @Test
    void leavesAnyOtherSubjectToJnats() {
        assertNull(AckReply.parse(null));
        assertNull(AckReply.parse("_INBOX.abc"));
        assertNull(AckReply.parse("$JS.ACK.OF_orders.faas-workers.3.1234"), "too few tokens");
        assertNull(AckReply.parse("$JS.ACK.a.b.c.d.e.f.g.h.i.j.k.l.m"), "too many tokens");
        assertNull(AckReply.parse("$JS.ACK.OF_orders.faas-workers.x.1234.77.1700000000000000000.12"), "not a number");
        assertNull(AckReply.parse("$JS.ACK.OF_orders.faas-workers..1234.77.1700000000000000000.12"), "an empty token");
    }
}
