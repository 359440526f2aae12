package dev.sonde.probe.attach;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** SEC names that parse, and those that do not with the message that says why. */
class TargetTest {
    @Test
    void methodTargets() throws TargetException {
        Target t = Target.parse("kprobe/com.shop.Cart$Line::add");
        assertEquals(Target.Kind.METHOD, t.kind());
        assertEquals("com.shop.Cart$Line", t.classPattern());
        assertEquals("add", t.methodPattern());
        assertEquals(Optional.empty(), t.descriptor());
        assertFalse(t.isReturn());
        assertFalse(t.isMulti());

        Target r = Target.parse("kretprobe/Shop::pay(JI)Z");
        assertEquals("Shop", r.classPattern(), "a class in the default package");
        assertEquals(Optional.of("(JI)Z"), r.descriptor());
        assertTrue(r.isReturn());
        assertEquals("kretprobe/Shop::pay(JI)Z", r.secName());

        Target c = Target.parse("kprobe/java.util.ArrayList::<init>(I)V");
        assertEquals("<init>", c.methodPattern());

        Target m = Target.parse("kretprobe.multi/com.shop.*::pay*");
        assertTrue(m.isMulti());
        assertTrue(m.isReturn());
        assertEquals("com.shop.*", m.classPattern());
        assertEquals("pay*", m.methodPattern());
        assertEquals(Target.parse("kprobe.multi/a.?::*([B)V").descriptor(), Optional.of("([B)V"));
        assertEquals("kprobe/a.B::c([[Ljava/lang/String;D)[J",
            Target.parse("kprobe/a.B::c([[Ljava/lang/String;D)[J").secName());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "timer/10ms | PT0.01S | timer/10ms",
        "timer/1s | PT1S | timer/1s",
        "timer/500us | PT0.0005S | timer/500us",
        "timer/250ns | PT0.00000025S | timer/250ns",
        "timer/1000ms | PT1S | timer/1s",
        "timer/10ms/threads | PT0.01S | timer/10ms/threads",
        "timer/10101us/threads | PT0.010101S | timer/10101us/threads",
    })
    void timerTargets(String sec, String period, String canonical) throws TargetException {
        Target t = Target.parse(sec);
        assertEquals(Target.Kind.TIMER, t.kind());
        assertEquals(Duration.parse(period), t.period());
        assertEquals(canonical, t.secName());
        assertEquals(sec.endsWith("/threads"), t.perThread());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "kprobe | kprobe: no target: expected kprobe/<class>::<method>[<descriptor>]",
        "kprobe/ | kprobe/: no target: expected kprobe/<class>::<method>[<descriptor>]",
        "kprobe/com.shop.Cart | kprobe/com.shop.Cart: no \"::\" between class and method: expected kprobe/<class>::<method>[<descriptor>]",
        "kprobe.multi/com.* | kprobe.multi/com.*: no \"::\" between class and method: expected kprobe.multi/<class-glob>::<method-glob>",
        "kprobe/::pay | kprobe/::pay: empty class name",
        "kprobe/Shop:: | kprobe/Shop::: empty method name",
        "kprobe/Shop::pay::x | kprobe/Shop::pay::x: more than one \"::\": expected kprobe/<class>::<method>[<descriptor>]",
        "kprobe/com/shop/Cart::add | kprobe/com/shop/Cart::add: class \"com/shop/Cart\" is written with '/': write its binary name, com.shop.Cart",
        "kprobe/com..Cart::add | kprobe/com..Cart::add: class \"com..Cart\" is not a binary class name: empty package or class segment",
        "kprobe/com.shop.Cart.::add | kprobe/com.shop.Cart.::add: class \"com.shop.Cart.\" is not a binary class name: empty package or class segment",
        "kprobe/Sh op::pay | kprobe/Sh op::pay: class \"Sh op\" is not a binary class name: ' ' at index 2",
        "kprobe/com.shop.*::pay | kprobe/com.shop.*::pay: class \"com.shop.*\" is a glob: globs need kprobe.multi/ or kretprobe.multi/",
        "kretprobe/Shop::pay* | kretprobe/Shop::pay*: method \"pay*\" is a glob: globs need kprobe.multi/ or kretprobe.multi/",
        "kprobe/Shop::<clinit> | kprobe/Shop::<clinit>: class initializers (<clinit>) cannot be probed: they run once, before any probe can attach",
        "kprobe/Shop::<ini> | kprobe/Shop::<ini>: method \"<ini>\" is not a method name: '<' at index 0 (constructors are <init>)",
        "kprobe/Shop::a.b | kprobe/Shop::a.b: method \"a.b\" is not a method name: '.' at index 1",
        "kprobe/Shop::pay(JI | kprobe/Shop::pay(JI: descriptor \"(JI\" is not a JVM method descriptor: it has no ')'",
        "kprobe/Shop::pay(JI) | kprobe/Shop::pay(JI): descriptor \"(JI)\" is not a JVM method descriptor: it has no return type after ')'",
        "kprobe/Shop::pay(Q)V | kprobe/Shop::pay(Q)V: descriptor \"(Q)V\" is not a JVM method descriptor: bad parameter type at index 1 ('Q')",
        "kprobe/Shop::pay(Ljava/lang/String)V | kprobe/Shop::pay(Ljava/lang/String)V: descriptor \"(Ljava/lang/String)V\" is not a JVM method descriptor: bad parameter type at index 1 ('L')",
        "kprobe/Shop::pay(I)VV | kprobe/Shop::pay(I)VV: descriptor \"(I)VV\" is not a JVM method descriptor: bad return type at index 3",
        "kprobe/Shop::<init>(I)Z | kprobe/Shop::<init>(I)Z: descriptor \"(I)Z\" of a constructor must return V",
        "timer | timer: no period: expected timer/<period>, e.g. timer/10ms",
        "timer/10 | timer/10: period \"10\" has no unit: expected ns, us, ms or s, e.g. timer/10ms",
        "timer/10m | timer/10m: period \"10m\" has unknown unit \"m\": expected ns, us, ms or s",
        "timer/ms | timer/ms: period \"ms\" does not start with a number: e.g. timer/10ms",
        "timer/0ms | timer/0ms: a timer's period must be positive, is 0ns",
        "timer/10ms/cpus | timer/10ms/cpus: unknown timer mode \"cpus\": expected timer/<period> or timer/<period>/threads",
        "timer/10ms/threads/x | timer/10ms/threads/x: unknown timer mode \"threads/x\": expected timer/<period> or timer/<period>/threads",
        "timer/99999999999999999999s | timer/99999999999999999999s: period \"99999999999999999999s\" is too long",
        "uprobe/libc.so:malloc | uprobe/libc.so:malloc: uprobes attach to native code; Java methods are probed with kprobe/<class>::<method>[<descriptor>]",
        "tracepoint/sched/switch | tracepoint/sched/switch: tracepoints are not supported: Sonde attaches kprobe/, kretprobe/, kprobe.multi/, kretprobe.multi/ or timer/",
        "fentry/Shop::pay | fentry/Shop::pay: unknown program type \"fentry\": expected kprobe/, kretprobe/, kprobe.multi/, kretprobe.multi/ or timer/",
        "kprobe.s/Shop::pay | kprobe.s/Shop::pay: unknown program type \"kprobe.s\": expected kprobe/, kretprobe/, kprobe.multi/, kretprobe.multi/ or timer/",
    })
    void badTargetsSayWhatIsWrong(String sec, String message) {
        TargetException e = assertThrows(TargetException.class, () -> Target.parse(sec));
        assertEquals(message, e.getMessage());
        assertEquals(sec, e.target());
    }

    @Test
    void emptySecName() {
        TargetException e = assertThrows(TargetException.class, () -> Target.parse(""));
        assertEquals("\"\": empty SEC name: expected kprobe/, kretprobe/, kprobe.multi/, kretprobe.multi/ or timer/",
            e.getMessage());
    }

    @Test
    void withBuildersMakeChangedCopiesAndRefuseWhatParseRefuses() throws TargetException {
        Target t = Target.method("com.shop.Cart", "add");
        Target r = t.withReturn(true).withDescriptor("(JI)Z");
        assertEquals("kprobe/com.shop.Cart::add", t.secName(), "unchanged");
        assertEquals("kretprobe/com.shop.Cart::add(JI)Z", r.secName());
        assertEquals(Target.parse(r.secName()), r);
        assertEquals("kprobe.multi/com.shop.*::add", t.withMulti(true).withClass("com.shop.*").secName());
        assertThrows(IllegalArgumentException.class, () -> t.withClass("com.shop.*"), "a glob without multi");
        assertThrows(IllegalArgumentException.class, () -> t.withDescriptor("(I"));
        assertThrows(IllegalArgumentException.class, () -> Target.timer(Duration.ZERO));
        assertEquals("timer/2ms", Target.timer(Duration.ofMillis(2)).secName());
    }

    @Test
    void globs() {
        assertTrue(Glob.matches("com.shop.*", "com.shop.Cart$Line"));
        assertTrue(Glob.matches("*", ""));
        assertTrue(Glob.matches("pay*", "pay"));
        assertTrue(Glob.matches("?ay", "pay"));
        assertTrue(Glob.matches("*.*Line", "com.shop.Cart$Line"));
        assertFalse(Glob.matches("pay?", "pay"));
        assertFalse(Glob.matches("com.shop.*", "com.shopx.Cart"));
        assertTrue(Glob.matches("a*b*c", "aXbYbZc"));
        assertFalse(Glob.matches("a*b*c", "aXbYbZ"));
    }
}
