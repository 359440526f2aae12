package dev.sonde.agent;

import java.lang.instrument.Instrumentation;

/**
 * The agent's entry points: {@code -javaagent:sonde-agent.jar=<options>} runs {@link #premain}
 * before the application's {@code main}; {@code sonde attach} (the Attach API) runs
 * {@link #agentmain} in a running JVM. Options: {@link AgentOptions}. Neither throws into the JVM:
 * a problem is one line on standard error and the application runs on.
 */
public final class SondeAgent {
    private SondeAgent() {
    }

    public static void premain(String args, Instrumentation inst) {
        Session.start(args, inst, true);
    }

    public static void agentmain(String args, Instrumentation inst) {
        Session.start(args, inst, false);
    }
}
