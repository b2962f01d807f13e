package dev.caravan.cli;

import dev.caravan.agent.demo.LocalSwarm;

/** The agent.toml of a test agent that follows {@code LocalSwarm}'s product, with any free ports. */
final class AgentToml {
    private AgentToml() {}

    /**
     * @param tls the folder and name of the agent's certificate files ({@code DIR/NAME.crt},
     *     {@code DIR/NAME.key}, {@code DIR/ca.crt}), relative to the agent's working folder or absolute
     * @param home the agent's cache ({@code HOME/cache}) and install ({@code HOME/install}) folders' parent,
     *     relative or absolute; {@code ""} for the working folder itself
     * @param followLines more lines for the {@code [follow]} table, or {@code ""}
     */
    static String of(LocalSwarm swarm, String tls, String name, String home, String followLines) {
        String prefix = home.isEmpty() ? "" : home + "/";
        return """
                [tracker]
                url = "https://127.0.0.1:%d"
                [origin]
                url = "%s"
                [trust]
                root = "%s"
                [tls]
                certificate = "%s/%s.crt"
                key = "%s/%s.key"
                ca = "%s/ca.crt"
                [peer]
                listen = "127.0.0.1:0"
                [cache]
                dir = "%scache"
                [follow]
                product = "%s"
                install_dir = "%sinstall"
                %s
                [api]
                listen = "127.0.0.1:0"
                """.formatted(swarm.tracker().address().getPort(), swarm.originUrl(), swarm.repo().resolve("metadata/1.root.json"),
                tls, name, tls, name, tls, prefix, LocalSwarm.PRODUCT, prefix, followLines);
    }
}
