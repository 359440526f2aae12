package dev.sonde.junit;

import dev.sonde.bpf.map.BpfMap;
import dev.sonde.probe.control.ProbeLink;
import dev.sonde.probe.control.ProbeObject;
import dev.sonde.probe.control.Sonde;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.Parameter;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import net.bytebuddy.agent.ByteBuddyAgent;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.platform.commons.support.AnnotationSupport;
import org.junit.platform.commons.support.HierarchyTraversalMode;

/**
 * Probes for the duration of each test (see {@link SondeTest}).
 *
 * <ol>
 * <li>Once per JVM: Sonde is installed with an Instrumentation from byte-buddy-agent's
 *     self-attach (the test JVM needs {@code -Djdk.attach.allowAttachSelf=true}, and on JDK 21+
 *     {@code -XX:+EnableDynamicAgentLoading} to stay quiet: the parent pom's surefire argLine).</li>
 * <li>Before each test (before its {@code @BeforeEach} methods): the class's {@link Probes}, then
 *     the method's, are opened and attached; the {@link TestProbes} goes into the test's store
 *     before the first attach, so whatever happens next it is closed; {@link Handle} fields of the
 *     test instances are set.</li>
 * <li>After each test (after its {@code @AfterEach} methods), passed or failed: every link is
 *     detached with its grace period and every object closed. A failure to detach fails the test.</li>
 * </ol>
 */
public class SondeExtension implements BeforeEachCallback, AfterEachCallback, ParameterResolver {
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(SondeExtension.class);
    /** Types injected without a name. */
    private static final Set<Class<?>> UNNAMED = Set.of(TestProbes.class, TraceLines.class, Sonde.class);
    private static final Set<Class<?>> NAMED = Set.of(LongCounters.class, RecordMap.class, BpfMap.class,
        EventStream.class, ProbeLink.class, ProbeObject.class);

    /** The JVM's Sonde, installed on first use. */
    public static synchronized Sonde sonde() {
        Sonde s = Sonde.installed();
        return s != null ? s : Sonde.install(ByteBuddyAgent.install());
    }

    /** The probes of the test running in {@code context}, or null outside a test. */
    public static TestProbes probes(ExtensionContext context) {
        return context.getStore(NS).get(TestProbes.class, TestProbes.class);
    }

    @Override
    public void beforeEach(ExtensionContext context) throws Exception {
        TestProbes probes = new TestProbes(sonde());
        context.getStore(NS).put(TestProbes.class, probes);
        List<Probes> declared = new ArrayList<>(
            AnnotationSupport.findRepeatableAnnotations(context.getRequiredTestClass(), Probes.class));
        declared.addAll(AnnotationSupport.findRepeatableAnnotations(context.getRequiredTestMethod(), Probes.class));
        for (Probes p : declared) {
            Path where = Path.of(p.value());
            try {
                probes.open(where.getFileName().toString(), load(context.getRequiredTestClass(), p.value()), p.programs());
            } catch (ExtensionConfigurationException e) {
                throw e;
            } catch (Exception e) {
                throw new ExtensionConfigurationException("@Probes(\"" + p.value() + "\"): " + e.getMessage(), e);
            }
        }
        for (Object instance : context.getRequiredTestInstances().getAllInstances()) {
            injectFields(instance, probes);
        }
    }

    @Override
    public void afterEach(ExtensionContext context) {
        TestProbes probes = probes(context);
        if (probes != null) {
            probes.close();
        }
    }

    /** The object's bytes: the class-path resource {@code name} (leading slash optional), else the file. */
    static byte[] load(Class<?> testClass, String name) throws IOException {
        String resource = name.startsWith("/") ? name.substring(1) : name;
        ClassLoader cl = testClass.getClassLoader();
        try (InputStream in = cl == null ? null : cl.getResourceAsStream(resource)) {
            if (in != null) {
                return in.readAllBytes();
            }
        }
        Path file = Path.of(name);
        if (Files.isRegularFile(file)) {
            return Files.readAllBytes(file);
        }
        throw new ExtensionConfigurationException("@Probes(\"" + name + "\"): no class-path resource " + resource
            + " and no file " + file.toAbsolutePath() + " (probe sources are compiled by bin/sonde-cc in the build)");
    }

    private static void injectFields(Object instance, TestProbes probes) throws IllegalAccessException {
        List<Field> fields = AnnotationSupport.findAnnotatedFields(instance.getClass(), Handle.class,
            f -> !Modifier.isStatic(f.getModifiers()), HierarchyTraversalMode.TOP_DOWN);
        for (Field f : fields) {
            String name = f.getAnnotation(Handle.class).value();
            Object v = resolve(f.getType(), f.getGenericType(), name.isEmpty() ? f.getName() : name, probes,
                "field " + f.getName());
            f.setAccessible(true);
            f.set(instance, v);
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext pc, ExtensionContext ec) {
        Class<?> t = pc.getParameter().getType();
        return UNNAMED.contains(t) || NAMED.contains(t) && (pc.isAnnotated(Handle.class) || t == ProbeObject.class);
    }

    @Override
    public Object resolveParameter(ParameterContext pc, ExtensionContext ec) {
        Parameter p = pc.getParameter();
        if (p.getType() == Sonde.class) {
            return sonde();
        }
        TestProbes probes = probes(ec);
        if (probes == null) {
            throw new ParameterResolutionException(p + ": Sonde's handles exist only in a test and its"
                + " @BeforeEach/@AfterEach methods");
        }
        String name = pc.findAnnotation(Handle.class).map(Handle::value).orElse("");
        if (name.isEmpty() && NAMED.contains(p.getType()) && p.getType() != ProbeObject.class) {
            if (!p.isNamePresent()) {
                throw new ParameterResolutionException(p + ": give @Handle a name (or compile with -parameters)");
            }
            name = p.getName();
        }
        try {
            return resolve(p.getType(), p.getParameterizedType(), name, probes, "parameter " + p.getName());
        } catch (RuntimeException e) {
            throw new ParameterResolutionException(e.getMessage(), e);
        }
    }

    /** The handle of type {@code raw} (generic form {@code type}) named {@code name}. */
    static Object resolve(Class<?> raw, Type type, String name, TestProbes probes, String where) {
        try {
            if (raw == TestProbes.class) {
                return probes;
            }
            if (raw == TraceLines.class) {
                return probes.trace();
            }
            if (raw == Sonde.class) {
                return probes.sonde();
            }
            if (raw == ProbeObject.class) {
                return probes.object(name);
            }
            if (raw == BpfMap.class) {
                return probes.map(name);
            }
            if (raw == LongCounters.class) {
                return probes.counters(name);
            }
            if (raw == RecordMap.class) {
                return probes.records(name, typeArgument(type, 0), typeArgument(type, 1));
            }
            if (raw == EventStream.class) {
                return probes.events(name, typeArgument(type, 0));
            }
            if (raw == ProbeLink.class) {
                return probes.link(name);
            }
        } catch (RuntimeException e) {
            throw new ExtensionConfigurationException(where + " " + name + ": " + e.getMessage(), e);
        }
        throw new ExtensionConfigurationException(where + ": @Handle cannot fill a " + raw.getName());
    }

    /** Type argument {@code i} of {@code type} as a class; byte[] for a raw type. */
    private static Class<?> typeArgument(Type type, int i) {
        if (!(type instanceof ParameterizedType)) {
            return byte[].class;
        }
        Type a = ((ParameterizedType) type).getActualTypeArguments()[i];
        if (a instanceof Class) {
            return (Class<?>) a;
        }
        if (a instanceof java.lang.reflect.GenericArrayType
                && ((java.lang.reflect.GenericArrayType) a).getGenericComponentType() == byte.class) {
            return byte[].class;
        }
        throw new IllegalArgumentException(type + ": type argument " + a + " is not a class");
    }
}
