"""The event bus on kombu: one durable topic exchange, a durable queue per consuming service.

The same code runs on `memory://` (embedded mode and in-process tests) and `amqp://`
(RabbitMQ). Topology, for a service `shop` and exchange `gwh.events`:

    exchange gwh.events (topic, durable) --routing key = event type--> queue gwh.events.shop
    exchange gwh.events.dead (direct)    --routing key = shop-------> queue gwh.events.shop.dead

Delivery is at least once. A consumer acks a message only after its handler committed.
A handler that raises is retried by republishing the message to the tail of its queue with
an attempt counter (so a poison message never blocks the ones behind it), and after
`max_attempts` it is moved to the dead-letter queue. An outage of the store a handler
writes to (database or Redis down) is not the message's fault: those messages are requeued
after a back-off without counting an attempt, so nothing lands in the dead-letter queue
because Redis restarted. Dead-lettering is done by the consumer, not by broker arguments,
so it behaves the same on the in-memory transport.
"""
from __future__ import annotations

import json
import logging
import socket
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Sequence

from kombu import Connection, Exchange, Producer, Queue
from kombu.exceptions import OperationalError as KombuOperationalError

from shared import metrics
from shared.correlation import event_headers
from shared.events import CATALOGUE, Event, InvalidEvent, correlation_id_var, parse_event

log = logging.getLogger("gwh.bus")

ATTEMPT_HEADER = "x-gwh-attempt"
# How long a batch waits for the broker's confirms before it counts as not confirmed.
# (kombu's one-by-one confirm waits without a limit; a loaded broker can take seconds.)
CONFIRM_TIMEOUT = 30.0


class PartlyPublished(Exception):
    """A batch failed after the broker confirmed its first `confirmed` messages."""

    def __init__(self, confirmed: int, cause: BaseException):
        super().__init__(f"{confirmed} confirmed, then {type(cause).__name__}: {cause}")
        self.confirmed = confirmed
        self.cause = cause


class BrokerUnavailable(Exception):
    """A publish failed because the broker cannot be reached: neither the message's fault
    nor the store's. Not a ConnectionError on purpose, so that no log calls it a store
    outage; the consumer treats it as transient all the same."""


class Subscriptions:
    """A service's `event type -> handler` registry; its queue bindings derive from it.

        subscriptions = Subscriptions("shop")

        @subscriptions.on("catalog.product.delisted")
        def product_delisted(uow, event): ...
    """

    def __init__(self, service: str):
        self.service = service
        self.handlers: dict[str, Callable[..., Any]] = {}

    def on(self, *event_types: str):
        def register(handler):
            for event_type in event_types:
                if event_type not in CATALOGUE:
                    raise ValueError(f"{handler.__name__} subscribes to unknown event type {event_type!r}")
                if event_type in self.handlers:
                    raise ValueError(f"{event_type} already handled by {self.handlers[event_type].__name__}")
                self.handlers[event_type] = handler
            return handler
        return register

    @property
    def event_types(self) -> list[str]:
        return sorted(self.handlers)


def transient_errors() -> tuple[type[BaseException], ...]:
    """Failures of a store a handler writes to: wait and requeue, never dead-letter."""
    errors: list[type[BaseException]] = [ConnectionError, TimeoutError, socket.timeout]
    try:
        from sqlalchemy.exc import InterfaceError, OperationalError
        errors += [OperationalError, InterfaceError]
    except ImportError:  # pragma: no cover - sqlalchemy is a dependency
        pass
    try:
        import redis.exceptions as redis_errors
        errors += [redis_errors.ConnectionError, redis_errors.TimeoutError, redis_errors.BusyLoadingError,
                   # A Redis Cluster that is failing over or has a slot uncovered.
                   redis_errors.ClusterDownError, redis_errors.TryAgainError, redis_errors.SlotNotCoveredError]
    except ImportError:  # pragma: no cover - redis is a dependency
        pass
    return tuple(errors)


class Confirms:
    """The broker's answers (acks, nacks) to the messages of the batch being published, by
    delivery tag. `multiple` answers for every tag of the batch up to it still waiting."""

    def __init__(self):
        self.first = 1
        self.acked: set[int] = set()
        self.nacked: set[int] = set()

    def expect_from(self, first: int) -> None:
        """A new batch starts at tag `first`; the answers to earlier ones are done with."""
        self.first = first
        self.acked.clear()
        self.nacked.clear()

    def answered(self, into: set[int]) -> Callable[[int, bool], None]:
        def on_answer(tag: int, multiple: bool) -> None:
            if multiple:
                into.update(t for t in range(self.first, tag) if t not in self.acked and t not in self.nacked)
            into.add(tag)
        return on_answer

    def answered_all(self, first: int, last: int) -> bool:
        return all(tag in self.acked or tag in self.nacked for tag in range(first, last + 1))


class Bus:
    """Connections, the topology, and publishing for one exchange on one broker."""

    def __init__(self, url: str = "memory://", *, exchange: str = "gwh.events", heartbeat: int = 30,
                 polling_interval: float = 0.01, prefetch: int = 16, max_attempts: int = 5,
                 retry_backoff: float = 0.2, queue_arguments: dict | None = None):
        self.url = url
        self.exchange = Exchange(exchange, type="topic", durable=True)
        self.dead_exchange = Exchange(f"{exchange}.dead", type="direct", durable=True)
        self.heartbeat = heartbeat
        self.polling_interval = polling_interval
        self.prefetch = prefetch
        self.max_attempts = max_attempts
        self.retry_backoff = retry_backoff
        self.queue_arguments = queue_arguments or {}
        self._publish_lock = threading.Lock()
        self._publish_conn: Connection | None = None
        self._producer: Producer | None = None
        self._connection_errors: tuple[type[BaseException], ...] = (KombuOperationalError, OSError)
        self._keepalive_thread: threading.Thread | None = None
        self._closed = threading.Event()
        # A channel of the publishing connection in confirm mode, for batches (see
        # publish_batch), and the delivery tag the broker gave its last message.
        self._batch_channel = None
        self._batch_tag = 0
        self._confirms = Confirms()

    @classmethod
    def from_config(cls, config) -> "Bus":
        if config.queue_type not in ("classic", "quorum"):
            raise ValueError(f"GWH_QUEUE_TYPE must be classic or quorum, not {config.queue_type!r}")
        quorum = config.queue_type == "quorum" and not config.bus_url.startswith("memory://")
        return cls(config.bus_url, exchange=config.exchange, heartbeat=config.heartbeat,
                   polling_interval=config.memory_polling_interval, prefetch=config.prefetch,
                   max_attempts=config.max_attempts, retry_backoff=config.retry_backoff,
                   queue_arguments={"x-queue-type": "quorum"} if quorum else None)

    @property
    def in_memory(self) -> bool:
        return self.url.startswith("memory://")

    def connect(self, connect_timeout: float = 5) -> Connection:
        if self.in_memory:
            # kombu's memory transport, but its consumers wait for a put instead of polling.
            from shared import memory_transport
            return Connection(self.url, transport=memory_transport.Transport,
                              transport_options={"polling_interval": max(self.polling_interval, 1.0)})
        # confirm_publish: basic_publish waits for the broker's ack and raises on a nack, so
        # the outbox marks an event sent only once the broker has taken it.
        return Connection(self.url, heartbeat=self.heartbeat, connect_timeout=connect_timeout,
                          transport_options={"confirm_publish": True})

    # --- topology -------------------------------------------------------------------------
    def queue_for(self, service: str, event_types: Iterable[str]) -> Queue:
        bindings = [self.exchange.binding(routing_key=t) for t in sorted(event_types)]
        return Queue(f"{self.exchange.name}.{service}", bindings=bindings, durable=True,
                     queue_arguments=self.queue_arguments or None)

    def dead_letter_queue(self, service: str) -> Queue:
        return Queue(f"{self.exchange.name}.{service}.dead", exchange=self.dead_exchange,
                     routing_key=service, durable=True, queue_arguments=self.queue_arguments or None)

    def declare(self, subscribers: dict[str, Iterable[str]]) -> None:
        """Declare the exchanges and every consuming service's queues and bindings.

        Every process calls this before it publishes: RabbitMQ drops a message that no queue
        is bound for, so the queues must exist before the first event goes out.
        """
        with self.connect() as conn:
            channel = conn.channel()
            self.exchange(channel).declare()
            self.dead_exchange(channel).declare()
            for service, event_types in subscribers.items():
                self.queue_for(service, event_types)(channel).declare()
                self.dead_letter_queue(service)(channel).declare()

    def delete(self, services: Iterable[str]) -> None:
        """Delete the exchanges and these services' queues (test teardown, decommissioning)."""
        with self.connect() as conn:
            channel = conn.channel()
            for service in services:
                self.queue_for(service, [])(channel).delete()
                self.dead_letter_queue(service)(channel).delete()
            self.exchange(channel).delete()
            self.dead_exchange(channel).delete()

    # --- publishing -----------------------------------------------------------------------
    # One connection publishes for the whole process. It sends heartbeats like any other
    # (`_keepalive`), so RabbitMQ does not drop it while nothing is published; if it died
    # anyway (a broker restart, a network cut) the publish that finds it dead reconnects
    # and sends once more at once, instead of failing and waiting for the relay's back-off.
    # Sending twice is safe: a publish whose confirm was lost may arrive twice, and every
    # consumer is idempotent.
    def publish(self, envelope: dict[str, Any]) -> None:
        """Publish one event envelope; returns only once the broker confirmed it."""
        self._publish_raw(envelope, exchange=self.exchange, routing_key=envelope["type"],
                          headers=event_headers(envelope))

    def publish_batch(self, envelopes: Sequence[dict[str, Any]]) -> int:
        """Publish envelopes in order, then wait once for the broker to confirm them all.

        Returns how many were published (all of them). If the broker nacks one, or the
        connection fails, or the confirms do not come within CONFIRM_TIMEOUT, raises
        PartlyPublished with how many of the first ones it confirmed: only those may be
        counted as sent; the rest go again (a consumer absorbs a duplicate).

        kombu's confirm_publish waits for each message's confirm before the next one; on
        RabbitMQ that round trip is the whole cost of publishing, so a batch sends every
        message first and collects the confirms (each names a delivery tag, or every tag up
        to it when `multiple`) as they come back.
        """
        if not envelopes:
            return 0
        if self.in_memory:
            # Nothing to confirm in memory: a put is done when it returns.
            for done, envelope in enumerate(envelopes):
                try:
                    self.publish(envelope)
                except Exception as exc:
                    raise PartlyPublished(done, exc) from exc
            return len(envelopes)
        with self._publish_lock:
            confirmed = 0
            try:
                channel = self._confirming_channel()
                first = self._batch_tag + 1
                self._confirms.expect_from(first)
                for envelope in envelopes:
                    channel._basic_publish(self._message(envelope), exchange=self.exchange.name,
                                           routing_key=envelope["type"])
                    self._batch_tag += 1
                acked, nacked = self._await_confirms(first, self._batch_tag)
                while first + confirmed in acked:
                    confirmed += 1
                if confirmed < len(envelopes):
                    refused = "refused (nacked)" if first + confirmed in nacked else \
                        f"did not confirm within {CONFIRM_TIMEOUT:.0f} s"
                    raise RuntimeError(f"the broker {refused} message {confirmed + 1} of the batch")
                return confirmed
            except Exception as exc:
                self._reset_publisher()
                raise PartlyPublished(confirmed, exc) from exc

    @staticmethod
    def _message(envelope: dict[str, Any]):
        from amqp import Message
        # What kombu's Producer would send for a JSON body: consumers decode it alike.
        return Message(json.dumps(envelope), content_type="application/json", content_encoding="utf-8",
                       delivery_mode=2, application_headers=event_headers(envelope))

    def _confirming_channel(self):
        self._ensure_publisher()
        if self._batch_channel is None:
            channel = self._publish_conn.channel()
            channel.confirm_select()
            # Listen from the start: py-amqp reads frames while publishing (it checks for
            # a connection.blocked), so the first confirms may come before the last publish.
            channel.events["basic_ack"].add(self._confirms.answered(self._confirms.acked))
            channel.events["basic_nack"].add(self._confirms.answered(self._confirms.nacked))
            self._batch_channel, self._batch_tag = channel, 0
        return self._batch_channel

    def _await_confirms(self, first: int, last: int) -> tuple[set[int], set[int]]:
        """The delivery tags in first..last the broker acked and nacked, once it answered
        for every one of them (an ack or a nack: a nack may come before the acks of
        earlier messages, which wait for the disk) or CONFIRM_TIMEOUT passed."""
        confirms = self._confirms
        deadline = time.monotonic() + CONFIRM_TIMEOUT
        while not confirms.answered_all(first, last):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            try:
                self._publish_conn.drain_events(timeout=min(remaining, 1.0))
            except socket.timeout:
                pass
        return confirms.acked - confirms.nacked, set(confirms.nacked)

    def _ensure_publisher(self) -> None:
        # The same publishing connection as single publishes: heartbeats and reconnects
        # (_ensure_producer); a new connection starts a new confirming channel.
        if self._producer is None:
            self._batch_channel, self._batch_tag = None, 0
        try:
            self._ensure_producer()
        except Exception as exc:
            self._reset_publisher()
            raise BrokerUnavailable(f"cannot reach the broker: {type(exc).__name__}: {exc}") from exc

    def _publish_raw(self, body: Any, *, exchange: Exchange | str, routing_key: str,
                     headers: dict | None = None) -> None:
        with self._publish_lock:
            for attempt in (1, 2):
                try:
                    producer = self._ensure_producer()
                except Exception as exc:
                    self._reset_publisher()
                    raise BrokerUnavailable(f"cannot reach the broker: {type(exc).__name__}: {exc}") from exc
                try:
                    producer.publish(body, exchange=exchange, routing_key=routing_key,
                                     serializer="json", delivery_mode=2, headers=headers or {},
                                     retry=False)
                    return
                except self._connection_errors as exc:
                    self._reset_publisher()
                    if attempt == 2:
                        raise BrokerUnavailable(f"broker connection lost: {type(exc).__name__}: {exc}") from exc
                    log.warning("publishing connection to the broker lost (%s: %s); reconnecting",
                                type(exc).__name__, exc)
                except Exception:
                    self._reset_publisher()
                    raise

    def _ensure_producer(self) -> Producer:
        if self._producer is None:
            conn = self.connect()
            conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0)
            self._connection_errors = (KombuOperationalError, OSError, *conn.connection_errors,
                                       *conn.channel_errors)
            self._publish_conn = conn
            self._producer = Producer(conn.channel())
            self._start_keepalive()
        return self._producer

    def _start_keepalive(self) -> None:
        if self.in_memory or not self.heartbeat or (self._keepalive_thread and self._keepalive_thread.is_alive()):
            return
        self._closed.clear()
        self._keepalive_thread = threading.Thread(target=self._keepalive, name="gwh-bus-heartbeat", daemon=True)
        self._keepalive_thread.start()

    def _keepalive(self) -> None:
        """Heartbeats both ways on the publishing connection while it is idle: read what the
        broker sent (its heartbeats), send ours when due, and notice a dead connection."""
        interval = max(min(self.heartbeat / 4, 5.0), 0.2)
        while not self._closed.wait(interval):
            if not self._publish_lock.acquire(blocking=False):
                continue  # a publish is under way: that is traffic enough
            try:
                conn = self._publish_conn
                if conn is None:
                    continue
                try:
                    try:
                        conn.drain_events(timeout=0.01)
                    except socket.timeout:
                        pass
                    conn.heartbeat_check(rate=2)
                except Exception as exc:
                    log.warning("publishing connection to the broker lost while idle (%s: %s); "
                                "the next publish reconnects", type(exc).__name__, exc)
                    self._reset_publisher()
            finally:
                self._publish_lock.release()

    def _reset_publisher(self) -> None:
        conn, self._publish_conn, self._producer = self._publish_conn, None, None
        self._batch_channel, self._batch_tag = None, 0
        if conn is not None:
            try:
                conn.release()
            except Exception:  # the connection is already broken; nothing to release
                pass

    def close(self) -> None:
        self._closed.set()
        with self._publish_lock:
            self._reset_publisher()

    def ping(self, timeout: float = 2) -> None:
        # One immediate retry, no 2-second pause: a refused connection answers at once.
        with self.connect(connect_timeout=timeout) as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0)

    def queue_depth(self, service: str, event_types: Iterable[str], dead: bool = False,
                    timeout: float = 5) -> tuple[int, int]:
        """(messages ready, consumers attached) of a service's queue or dead-letter queue."""
        with self.connect(connect_timeout=timeout) as conn:
            queue = (self.dead_letter_queue(service) if dead else self.queue_for(service, event_types))(conn.channel())
            result = queue.queue_declare(passive=True)
            return int(result.message_count), int(result.consumer_count)


@dataclass
class Consumer:
    """One service's consumer: takes events off its queue and hands each to `dispatch`."""

    bus: Bus
    service: str
    event_types: list[str]
    dispatch: Callable[[Event], None]
    transient: tuple[type[BaseException], ...] = field(default_factory=transient_errors)
    attached: bool = False
    handled: int = 0
    dead_lettered: int = 0
    # Messages taken off the queue and not yet acked or put back (the queue no longer
    # counts them, so "settled" must).
    in_flight: int = 0
    # When the consuming loop last went round (time.monotonic()): the worker's liveness probe
    # tells a loop waiting for the broker (it goes round) from a stuck one (shared/probe.py).
    last_beat: float | None = None

    def __post_init__(self):
        self._stop = threading.Event()

    # --- one message ----------------------------------------------------------------------
    def handle(self, body: Any, message) -> None:
        self.in_flight += 1
        try:
            self._handle(body, message)
        finally:
            self.in_flight -= 1

    def _handle(self, body: Any, message) -> None:
        attempt = int((message.headers or {}).get(ATTEMPT_HEADER, 1))
        try:
            evt = parse_event(body)
        except InvalidEvent as exc:
            log.error("%s: invalid event, dead-lettered: %s", self.service, exc)
            self._dead_letter(body, message, f"invalid: {exc}")
            metrics.dead_lettered(self.service, "invalid")
            return
        token = correlation_id_var.set(evt.correlation_id)
        try:
            self.dispatch(evt)
            # Inside the event's correlation id: this line is where a request is followed into
            # the consuming service.
            log.info("%s handled %s %s", self.service, evt.type, evt.id,
                     extra={"service": self.service, "event_type": evt.type, "event_id": evt.id})
        except BrokerUnavailable as exc:
            # A handler publishes (ranking announcements) and the broker went away.
            log.warning("%s: %s %s waits for the broker: %s", self.service, evt.type, evt.id, exc)
            self._stop.wait(min(5.0, max(self.bus.retry_backoff, 0.05) * 5))
            message.requeue()
            metrics.retried(self.service, evt.type, "broker_unavailable")
            return
        except self.transient as exc:
            # The store is down, not the message: wait, put it back, and try again later.
            log.warning("%s: %s %s waits for its store: %s", self.service, evt.type, evt.id, exc)
            self._stop.wait(min(5.0, max(self.bus.retry_backoff, 0.05) * 5))
            message.requeue()
            metrics.retried(self.service, evt.type, "store_unavailable")
            return
        except Exception as exc:  # a handler's bug or a rule violation: bounded retries
            if attempt >= self.bus.max_attempts:
                log.exception("%s: %s %s failed %d times, dead-lettered", self.service, evt.type, evt.id, attempt)
                self._dead_letter(body, message, f"{type(exc).__name__}: {exc}")
                metrics.dead_lettered(self.service, evt.type)
            else:
                log.warning("%s: %s %s failed (attempt %d): %s", self.service, evt.type, evt.id, attempt, exc)
                self._stop.wait(min(2.0, self.bus.retry_backoff * (2 ** (attempt - 1))))
                self._republish(body, message, attempt + 1)
                metrics.retried(self.service, evt.type, "handler_failed")
            return
        finally:
            correlation_id_var.reset(token)
        message.ack()
        self.handled += 1
        metrics.consumed(self.service, evt.type)

    def _republish(self, body, message, attempt: int) -> None:
        # To the tail of our own queue through the default exchange, then ack the original:
        # a crash between the two delivers it twice, which the idempotent handler absorbs.
        self.bus._publish_raw(body, exchange="", routing_key=f"{self.bus.exchange.name}.{self.service}",
                              headers={ATTEMPT_HEADER: attempt})
        message.ack()

    def _dead_letter(self, body, message, reason: str) -> None:
        self.bus._publish_raw(body, exchange=self.bus.dead_exchange, routing_key=self.service,
                              headers={"x-gwh-reason": reason[:500], "x-gwh-service": self.service})
        message.ack()
        self.dead_lettered += 1

    # --- consuming ------------------------------------------------------------------------
    def queue(self) -> Queue:
        return self.bus.queue_for(self.service, self.event_types)

    def pump(self, limit: int = 10_000) -> int:
        """Handle what is on the queue now, `takes` messages at a time (one by one here),
        and return how many (tests, drains)."""
        count = 0
        with self.bus.connect() as conn:
            queue = self.queue()(conn.channel())
            queue.declare()
            while count < limit:
                taken = []
                while len(taken) < min(self.takes, limit - count):
                    message = queue.get(no_ack=False, accept=["json"])
                    if message is None:
                        break
                    taken.append((message.payload, message))
                if not taken:
                    break
                self.handle_taken(taken)
                count += len(taken)
        return count

    def run(self) -> None:
        """Consume until stop(), reconnecting with a back-off whenever the broker goes away.
        Each turn of the loop is `turn`: here, wait for a message and handle it."""
        backoff = 0.5
        while not self._stop.is_set():
            self.last_beat = time.monotonic()
            try:
                with self.bus.connect() as conn:
                    conn.ensure_connection(max_retries=1)
                    channel = conn.channel()
                    queue = self.queue()(channel)
                    queue.declare()
                    consumer = conn.Consumer(queue, callbacks=[self._on_message], accept=["json"],
                                             prefetch_count=self.prefetch_count)
                    with consumer:
                        self.attached = True
                        backoff = 0.5
                        while not self._stop.is_set():
                            self.last_beat = time.monotonic()
                            self.turn(conn)
                            # After every turn, not only an idle one: a stream of messages
                            # must not keep our heartbeats from going out (amqp rate-limits).
                            if not self.bus.in_memory:
                                conn.heartbeat_check()
            except (KombuOperationalError, ConnectionError, OSError) as exc:
                log.warning("%s consumer lost the broker (%s); reconnecting in %.1fs", self.service, exc, backoff)
            except Exception:  # amqp's own errors, and anything else: the worker stays alive
                log.exception("%s consumer failed; reconnecting in %.1fs", self.service, backoff)
            finally:
                self.attached = False
                self.detached()
            self._stop.wait(backoff)
            backoff = min(backoff * 2, 10.0)

    # --- what a consumer that handles several messages at once changes (shared/batch.py) --
    @property
    def takes(self) -> int:
        """How many messages `pump` takes off the queue for one `handle_taken`."""
        return 1

    @property
    def prefetch_count(self) -> int:
        return self.bus.prefetch

    def handle_taken(self, deliveries: list[tuple[Any, Any]]) -> None:
        """Handle (body, message) pairs taken off the queue: one by one here."""
        for body, message in deliveries:
            self.handle(body, message)

    def turn(self, conn) -> None:
        """One turn of the consuming loop: wait up to half a second for a message (its
        callback, `_on_message`, handles it)."""
        try:
            conn.drain_events(timeout=0.5)
        except socket.timeout:
            pass

    def detached(self) -> None:
        """The connection is gone; its unacked deliveries go back to the queue by themselves."""

    def _on_message(self, body, message) -> None:
        self.handle(body, message)

    def stop(self) -> None:
        self._stop.set()

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()


def wait_for(predicate: Callable[[], bool], timeout: float = 10.0, interval: float = 0.02) -> bool:
    """Poll until predicate() is true or timeout passes (for runtimes and tests)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()
