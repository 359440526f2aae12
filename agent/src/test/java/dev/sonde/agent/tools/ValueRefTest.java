package dev.sonde.agent.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** argdist's and trace's value expressions against a method's descriptor and parameter names. */
class ValueRefTest {
    private static final ValueRef.Method PAY = ValueRef.Method.of("com.shop.Till.pay(ILjava/lang/String;[JDZ)Ljava/lang/Object;",
        List.of("item", "name", "ids", "amount", "gift"));
    private static final ValueRef.Method VOID = ValueRef.Method.of("com.shop.Till.open()V", List.of());

    @Test
    void theDescriptorGivesTheTypesAndTheNamesThePositions() throws Exception {
        assertEquals(List.of("I", "Ljava/lang/String;", "[J", "D", "Z"), PAY.paramTypes());
        assertEquals(new ValueRef("1", 0, ValueRef.Type.INT), ValueRef.parse("1", List.of(PAY)));
        assertEquals(new ValueRef("name", 1, ValueRef.Type.STR), ValueRef.parse("name", List.of(PAY)));
        assertEquals(new ValueRef("$3", 2, ValueRef.Type.REF), ValueRef.parse("$3", List.of(PAY)));
        assertEquals(new ValueRef("amount", 3, ValueRef.Type.DOUBLE), ValueRef.parse("amount", List.of(PAY)));
        assertEquals(new ValueRef("ret", ValueRef.RET, ValueRef.Type.REF), ValueRef.parse("ret", List.of(PAY)));
        assertEquals(new ValueRef("ret:str", ValueRef.RET, ValueRef.Type.STR), ValueRef.parse("ret:str", List.of(PAY)));
        assertEquals(new ValueRef("1:long", 0, ValueRef.Type.LONG), ValueRef.parse("1:long", List.of(PAY)));
    }

    @Test
    void valuesDecodeAsTheRegisterEncodingSays() throws Exception {
        assertEquals(-5L, ValueRef.parse("1", List.of(PAY)).decode(-5));
        assertEquals(2.5, ValueRef.parse("amount", List.of(PAY)).decode(Double.doubleToLongBits(2.5)));
        assertEquals(true, ValueRef.parse("gift", List.of(PAY)).decode(1));
        assertEquals("null", ValueRef.parse("ids", List.of(PAY)).decode(0));
        assertEquals(null, ValueRef.decodeString(new byte[] {(byte) 0xff, 0}, 0, 2), "0xff marks a null String");
        assertEquals("ab", ValueRef.decodeString(new byte[] {'a', 'b', 0, 'c'}, 0, 4));
    }

    @Test
    void badExpressionsSayWhatIsWrong() {
        assertTrue(assertThrows(ToolArgs.UsageError.class, () -> ValueRef.parse("6", List.of(PAY))).getMessage()
            .contains("has 5 parameters, not a parameter 6"));
        assertTrue(assertThrows(ToolArgs.UsageError.class, () -> ValueRef.parse("colour", List.of(PAY))).getMessage()
            .contains("no parameter named 'colour' (parameters: item, name, ids, amount, gift)"));
        assertTrue(assertThrows(ToolArgs.UsageError.class, () -> ValueRef.parse("ret", List.of(VOID))).getMessage()
            .contains("returns void"));
        assertTrue(assertThrows(ToolArgs.UsageError.class, () -> ValueRef.parse("1:colour", List.of(PAY))).getMessage()
            .contains("unknown type ':colour'"));
        ValueRef.Method other = ValueRef.Method.of("com.shop.Till.pay(J)V", List.of("item"));
        assertTrue(assertThrows(ToolArgs.UsageError.class, () -> ValueRef.parse("1", List.of(PAY, other))).getMessage()
            .contains("give a descriptor"));
    }
}
