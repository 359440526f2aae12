package dev.sonde.probe.attach;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.sonde.probe.symbol.Descriptors;
import java.lang.reflect.Executable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Resolution against real loaded classes, passed as the array Instrumentation would give. */
class TargetResolverTest {
    static final Class<?>[] LOADED = {Shop.class, Shop.Line.class, Shop.Tax.class, Shop.Discount.class,
        ArrayList.class, HashMap.class, String.class, int[].class, int.class, Shop.class,
        ((Runnable) () -> { }).getClass()};

    static List<String> resolve(String sec) throws TargetException {
        return TargetResolver.resolve(Target.parse(sec), LOADED).stream()
            .map(TargetResolverTest::describe).collect(Collectors.toList());
    }

    static String describe(Executable e) {
        String cls = e.getDeclaringClass().getName();
        return cls.substring(cls.lastIndexOf('.') + 1) + "::" + Descriptors.nameOf(e) + Descriptors.of(e);
    }

    static String error(String sec) {
        return assertThrows(TargetException.class, () -> resolve(sec)).getMessage();
    }

    @Test
    void aNameWithoutDescriptorIsEveryOverloadOfAnyVisibility() throws TargetException {
        assertEquals(List.of("Shop::pay()I", "Shop::pay(JI)Z", "Shop::pay(Ljava/lang/String;)V"),
            resolve("kprobe/dev.sonde.probe.attach.Shop::pay"));
        assertEquals(List.of("Shop::pay(JI)Z"), resolve("kretprobe/dev.sonde.probe.attach.Shop::pay(JI)Z"));
        assertEquals(List.of("Shop::secret()Ljava/lang/String;"), resolve("kprobe/dev.sonde.probe.attach.Shop::secret"));
    }

    @Test
    void initMeansConstructorsAndInnerClassesUseBinaryNames() throws TargetException {
        assertEquals(List.of("Shop::<init>()V", "Shop::<init>(J)V"), resolve("kprobe/dev.sonde.probe.attach.Shop::<init>"));
        assertEquals(List.of("Shop$Line::<init>(Ljava/lang/String;I)V"),
            resolve("kprobe/dev.sonde.probe.attach.Shop$Line::<init>"));
        assertEquals(List.of("Shop$Line::qty()I"), resolve("kprobe/dev.sonde.probe.attach.Shop$Line::qty"));
        assertEquals(
            "kprobe/dev.sonde.probe.attach.Shop.Line::qty: class dev.sonde.probe.attach.Shop.Line is not loaded"
                + " (loaded classes with that name: dev.sonde.probe.attach.Shop$Line)",
            error("kprobe/dev.sonde.probe.attach.Shop.Line::qty"));
    }

    @Test
    void jdkClasses() throws TargetException {
        assertEquals(List.of("ArrayList::add(Ljava/lang/Object;)Z", "ArrayList::add(ILjava/lang/Object;)V",
            "ArrayList::add(Ljava/lang/Object;[Ljava/lang/Object;I)V"), sortedByDescriptorLength(resolve("kprobe/java.util.ArrayList::add")));
        assertEquals(List.of("ArrayList::<init>()V", "ArrayList::<init>(I)V", "ArrayList::<init>(Ljava/util/Collection;)V"),
            sortedByDescriptorLength(resolve("kprobe/java.util.ArrayList::<init>")));
        assertEquals(List.of("ArrayList::<init>(I)V"), resolve("kprobe/java.util.ArrayList::<init>(I)V"));
    }

    @Test
    void bridgesAndMethodsWithoutCodeAreLeftOut() throws TargetException {
        assertEquals(List.of("Shop::compareTo(Ldev/sonde/probe/attach/Shop;)I"),
            resolve("kprobe/dev.sonde.probe.attach.Shop::compareTo"), "not the bridge compareTo(Object)");
        assertEquals(List.of("Shop::compareTo(Ljava/lang/Object;)I"),
            resolve("kprobe/dev.sonde.probe.attach.Shop::compareTo(Ljava/lang/Object;)I"), "unless named");
        assertEquals("kprobe/dev.sonde.probe.attach.Shop$Tax::rate: method rate of dev.sonde.probe.attach.Shop$Tax has no"
            + " bytecode (abstract or native): probe an implementation", error("kprobe/dev.sonde.probe.attach.Shop$Tax::rate"));
        assertEquals("kprobe/java.lang.Object::hashCode: class java.lang.Object is not loaded",
            error("kprobe/java.lang.Object::hashCode"), "only the classes passed in are loaded");
        assertEquals("kprobe/dev.sonde.probe.attach.Shop$Discount::<init>: class dev.sonde.probe.attach.Shop$Discount"
            + " declares no constructor", error("kprobe/dev.sonde.probe.attach.Shop$Discount::<init>"));
    }

    @Test
    void multiTargetsMatchGlobs() throws TargetException {
        assertEquals(List.of("Shop::pay()I", "Shop::pay(JI)Z", "Shop::pay(Ljava/lang/String;)V", "Shop::payLater(J)J"),
            resolve("kprobe.multi/dev.sonde.probe.attach.Sho?::pay*"));
        assertEquals(List.of("Shop$Line::<init>(Ljava/lang/String;I)V", "Shop$Line::qty()I", "Shop$Tax::<init>()V",
            "Shop$Tax::apply(J)J"), resolve("kprobe.multi/dev.sonde.probe.attach.Shop$*::*"),
            "every method with code, constructors included; not the abstract ones");
        assertEquals(List.of("Shop::pay(JI)Z"), resolve("kprobe.multi/dev.sonde.probe.attach.*::*(JI)Z"));
        assertEquals("kprobe.multi/com.shop.*::pay: no loaded class matches com.shop.*", error("kprobe.multi/com.shop.*::pay"));
        assertEquals("kprobe.multi/dev.sonde.probe.attach.Shop*::refund*: no method matches refund* in the 4 loaded classes"
            + " matching dev.sonde.probe.attach.Shop*", error("kprobe.multi/dev.sonde.probe.attach.Shop*::refund*"));
    }

    @Test
    void unknownClassesAndMethodsAreNamed() {
        assertEquals("kprobe/com.shop.Cart::add: class com.shop.Cart is not loaded", error("kprobe/com.shop.Cart::add"));
        assertEquals("kprobe/dev.sonde.probe.attach.Shop::refund: class dev.sonde.probe.attach.Shop declares no method refund",
            error("kprobe/dev.sonde.probe.attach.Shop::refund"));
        assertEquals("kprobe/dev.sonde.probe.attach.Shop::pay(I)V: class dev.sonde.probe.attach.Shop has no method pay(I)V;"
            + " it declares pay()I, pay(JI)Z, pay(Ljava/lang/String;)V", error("kprobe/dev.sonde.probe.attach.Shop::pay(I)V"));
        assertEquals("timer/1s: a timer target names no method",
            assertThrows(TargetException.class, () -> TargetResolver.resolve(Target.parse("timer/1s"), LOADED)).getMessage());
    }

    private static List<String> sortedByDescriptorLength(List<String> l) {
        List<String> out = new ArrayList<>(l);
        out.sort((a, b) -> a.length() != b.length() ? a.length() - b.length() : a.compareTo(b));
        return out;
    }
}
