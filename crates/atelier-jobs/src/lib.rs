//! The durable job queue. Jobs are rows in the database, so any node can run any job and nothing is
//! lost when a process dies: a claim is a lease, and a job whose worker vanished is claimed again
//! once its lease runs out. Handlers are registered by name; their policy (attempts, back-off) is
//! data on the job, not code in the runner.

mod queue;
mod runner;

pub use queue::{EnqueueOptions, JobError, Queue, QueueError};
pub use runner::{Handler, JobContext, Periodic, Registry, Runner, RunnerConfig};
