//! A small authoritative DNS server on loopback for the DNS tests: real DNS messages over UDP,
//! answering from a table the test fills (a CNAME, a TXT, SERVFAIL, or silence for a timeout).
#![allow(dead_code)]

use hickory_proto::op::{Message, OpCode, ResponseCode};
use hickory_proto::rr::rdata::{CNAME, TXT};
use hickory_proto::rr::{Name, RData, Record, RecordType};
use std::collections::HashMap;
use std::net::{SocketAddr, UdpSocket};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What a name answers.
#[derive(Debug, Clone)]
pub enum Answer {
    Cname(String),
    Txt(String),
    ServFail,
    /// No reply at all: the client times out.
    Silence,
}

pub struct DnsServer {
    pub addr: SocketAddr,
    zone: Arc<Mutex<HashMap<String, Answer>>>,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

fn key(name: &str) -> String {
    name.trim_end_matches('.').to_ascii_lowercase()
}

impl DnsServer {
    pub fn start() -> DnsServer {
        let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
        socket
            .set_read_timeout(Some(Duration::from_millis(100)))
            .unwrap();
        let addr = socket.local_addr().unwrap();
        let zone: Arc<Mutex<HashMap<String, Answer>>> = Arc::default();
        let stop = Arc::new(AtomicBool::new(false));
        let (z, s) = (zone.clone(), stop.clone());
        let thread = std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while !s.load(Ordering::Relaxed) {
                let Ok((n, from)) = socket.recv_from(&mut buf) else {
                    continue;
                };
                if let Some(reply) = respond(&buf[..n], &z.lock().unwrap()) {
                    let _ = socket.send_to(&reply, from);
                }
            }
        });
        DnsServer {
            addr,
            zone,
            stop,
            thread: Some(thread),
        }
    }

    pub fn set(&self, name: &str, answer: Answer) {
        self.zone.lock().unwrap().insert(key(name), answer);
    }
}

impl Drop for DnsServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn respond(packet: &[u8], zone: &HashMap<String, Answer>) -> Option<Vec<u8>> {
    let request = Message::from_vec(packet).ok()?;
    let query = request.queries.first()?.clone();
    let id = request.metadata.id;
    let name = query.name().clone();
    let mut reply = Message::response(id, OpCode::Query);
    reply.metadata.recursion_available = true;
    reply.metadata.authoritative = true;
    reply.add_query(query.clone());
    match zone.get(&key(&name.to_ascii())) {
        None => reply.metadata.response_code = ResponseCode::NXDomain,
        Some(Answer::Silence) => return None,
        Some(Answer::ServFail) => reply.metadata.response_code = ResponseCode::ServFail,
        Some(Answer::Cname(target)) => {
            let target = Name::from_ascii(format!("{}.", target.trim_end_matches('.'))).ok()?;
            reply.add_answer(Record::from_rdata(name, 300, RData::CNAME(CNAME(target))));
        }
        Some(Answer::Txt(text)) if query.query_type() == RecordType::TXT => {
            reply.add_answer(Record::from_rdata(
                name,
                300,
                RData::TXT(TXT::new(vec![text.clone()])),
            ));
        }
        // The name exists, but holds no record of the asked type.
        Some(Answer::Txt(_)) => {}
    }
    reply.to_vec().ok()
}
