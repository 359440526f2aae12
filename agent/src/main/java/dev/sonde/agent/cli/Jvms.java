package dev.sonde.agent.cli;

import com.sun.tools.attach.VirtualMachine;
import com.sun.tools.attach.VirtualMachineDescriptor;
import dev.sonde.agent.Json;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** {@code sonde jvms}: the JVMs of the current user that the Attach API sees, as jps lists them. */
final class Jvms {
    private Jvms() {
    }

    static int run(List<String> args, PrintStream out) throws SondeCli.UsageException {
        boolean json = args.equals(List.of("--json"));
        if (!json && !args.isEmpty()) {
            throw new SondeCli.UsageException("jvms takes only --json, not " + args);
        }
        String self = String.valueOf(ProcessHandle.current().pid());
        List<VirtualMachineDescriptor> vms = new ArrayList<>(VirtualMachine.list());
        vms.sort(Comparator.comparingLong(d -> parse(d.id())));
        List<String> docs = new ArrayList<>();
        if (!json) {
            out.printf("%-8s %s%n", "PID", "MAIN");
        }
        for (VirtualMachineDescriptor d : vms) {
            if (d.id().equals(self)) {
                continue;
            }
            if (json) {
                docs.add("{\"pid\":" + parse(d.id()) + ",\"main\":" + Json.quote(mainClass(d.displayName())) + "}");
            } else {
                out.printf("%-8s %s%n", d.id(), mainClass(d.displayName()));
            }
        }
        if (json) {
            out.println("[" + String.join(",\n", docs) + "]");
        }
        return 0;
    }

    /** The display name is the main class (or the jar) and its arguments. */
    static String mainClass(String displayName) {
        String s = displayName.trim();
        int sp = s.indexOf(' ');
        s = sp < 0 ? s : s.substring(0, sp);
        return s.isEmpty() ? "(unknown)" : s;
    }

    private static long parse(String id) {
        try {
            return Long.parseLong(id);
        } catch (NumberFormatException e) {
            return Long.MAX_VALUE;
        }
    }
}
