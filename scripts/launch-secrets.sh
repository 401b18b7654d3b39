# shellcheck shell=bash
# Sourced by Belay's launchers (./belay, and /usr/local/bin/belay in the image) just before they start Java.
# Belay's secrets leave the environment before Java starts: a process's initial environment stays readable in
# /proc/PID/environ for its whole life, to every process of the same user, local-runtime commands included. They
# reach Java on a pipe instead (fd 3, read once at startup: LaunchEnvironment.java); printf is a builtin, so no
# process's arguments carry them. Leaves in secret_fd the Java option that names the pipe (none without secrets).
secrets=()
for name in OPENAI_API_KEY BRAVE_API_KEY BELAY_TOKEN BELAY_AGENT_TOKEN HTTPS_PROXY HTTP_PROXY; do
  [[ -n "${!name+x}" ]] && secrets+=("$name")
done
secret_fd=()
if (( ${#secrets[@]} )); then
  exec 3< <(for name in "${secrets[@]}"; do printf '%s=%s\0' "$name" "${!name}"; done)
  unset "${secrets[@]}"
  # shellcheck disable=SC2034 # read by the launcher that sources this
  secret_fd=(-Dbelay.secrets.fd=3)
fi
