"""Qt plumbing: controller, scheduler, worker, embedded server, theme; may import storage, core."""
