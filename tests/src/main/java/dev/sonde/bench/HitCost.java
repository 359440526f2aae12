package dev.sonde.bench;

import dev.sonde.probe.control.ProbeLink;
import dev.sonde.probe.control.ProbeObject;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The probe hit's cost in CPU time of the calling thread, a companion to {@link ProbeBench} for a
 * machine that other work shares: time the thread spends descheduled is not counted, so a busy
 * neighbour widens the spread much less than it does JMH's wall-clock averages. Each mode runs in
 * its own JVM (as JMH forks per mode), in rounds that interleave the modes, so a change of load
 * during the run touches every mode alike. Per mode: the minimum and the median over rounds of
 * (thread CPU time / calls) for batches of calls of {@link ProbeBench.Target#work}.
 *
 * <pre>bin/sonde-jmh is for JMH; this one: java -cp "$(cat tests/target/classpath.txt):tests/target/classes" \
 *     -Djdk.attach.allowAttachSelf=true dev.sonde.bench.HitCost [rounds] [mode...]</pre>
 *
 * Not a replacement for JMH (no blackhole: the result feeds a field; the loop is the same for
 * every mode, so the differences stand); the notes quote both.
 */
public final class HitCost {
    private static final String[] MODES = {"plain", "noopHandler", "entryEmpty", "arrayCount", "hashCount", "bytemanCount"};
    private static final int BATCH = Integer.getInteger("sonde.hitcost.batch", 10_000_000);
    static long sink;

    public static void main(String[] args) throws Exception {
        if (args.length >= 2 && args[0].equals("--child")) {
            child(args[1], Integer.parseInt(args[2]));
            return;
        }
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        String[] modes = args.length > 1 ? Arrays.copyOfRange(args, 1, args.length) : MODES;
        String java = ProcessHandle.current().info().command().orElse("java");
        String cp = System.getProperty("java.class.path");
        List<List<Double>> perMode = new ArrayList<>();
        for (String m : modes) {
            perMode.add(new ArrayList<>());
        }
        for (int r = 0; r < rounds; r++) {
            for (int i = 0; i < modes.length; i++) {
                Process p = new ProcessBuilder(java, "-Xms256m", "-Xmx256m", "-Djdk.attach.allowAttachSelf=true",
                    "-XX:+EnableDynamicAgentLoading", "-Dsonde.hitcost.batch=" + BATCH, "-cp", cp, HitCost.class.getName(), "--child", modes[i], "5")
                    .redirectErrorStream(true).start();
                String out = new String(p.getInputStream().readAllBytes()).trim();
                if (p.waitFor() != 0) {
                    throw new IllegalStateException(modes[i] + ": " + out);
                }
                for (String line : out.split("\n")) {
                    if (line.startsWith("batch ")) {
                        perMode.get(i).add(Double.parseDouble(line.substring(6)));
                    }
                }
            }
        }
        System.out.printf("%-14s %10s %10s %8s%n", "mode", "min ns", "median ns", "batches");
        for (int i = 0; i < modes.length; i++) {
            List<Double> v = perMode.get(i);
            v.sort(null);
            System.out.printf("%-14s %10.2f %10.2f %8d%n", modes[i], v.get(0), v.get(v.size() / 2), v.size());
        }
    }

    private static void child(String mode, int batches) throws Exception {
        ProbeBench.Target t = new ProbeBench.Target();
        List<ProbeLink> links = new ArrayList<>();
        ProbeObject object = null;
        switch (mode) {
            case "plain" -> { }
            case "bytemanCount" -> BytemanPeer.install();
            case "noopHandler" -> {
                // The trampolines and the slot alone: an entry handler that does nothing.
                dev.sonde.trampoline.Trampolines tr = dev.sonde.trampoline.Trampolines.install(
                    net.bytebuddy.agent.ByteBuddyAgent.install(), new dev.sonde.bpf.slot.ExecutionSlots());
                tr.attach(ProbeBench.Target.class, "work", new dev.sonde.trampoline.Handler() {
                    @Override
                    public boolean handlesExit() {
                        return false;
                    }

                    @Override
                    public boolean catchesAll() {
                        return true;
                    }

                    @Override
                    public boolean readsObjects() {
                        return false;
                    }
                });
            }
            default -> {
                object = ProbeBench.open(ProbeBench.sonde());
                for (String p : ProbeBench.programs(mode)) {
                    links.add(object.attach(p));
                }
            }
        }
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        long acc = 0;
        for (int w = 0; w < 3; w++) {   // warm-up: C2 compiles the trampolines and the program
            for (int i = 0; i < BATCH; i++) {
                acc += t.work(i & 15);
            }
        }
        for (int b = 0; b < batches; b++) {
            long c0 = mx.getCurrentThreadCpuTime();
            for (int i = 0; i < BATCH; i++) {
                acc += t.work(i & 15);
            }
            long c1 = mx.getCurrentThreadCpuTime();
            System.out.println("batch " + (double) (c1 - c0) / BATCH);
        }
        sink = acc;
        for (ProbeLink l : links) {
            if (l.stats().runCount() == 0 || l.stats().faults() != 0) {
                throw new IllegalStateException(mode + ": " + l.stats());
            }
        }
        if (object != null) {
            object.close();
        }
    }
}
