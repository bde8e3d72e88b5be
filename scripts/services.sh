# Sourced by scripts/run.sh: starts the background services of `make run`, one script per
# service in scripts/services.d/, each appending its process ids to the `pids` array.
for service_script in scripts/services.d/*.sh; do
  [[ -e "$service_script" ]] || continue
  # shellcheck source=/dev/null
  source "$service_script"
done
