#!/usr/bin/python3
"""An RTSP server that takes a published H.264 stream (ANNOUNCE/RECORD) over
TCP or UDP and writes it to a file as an Annex B byte stream, for the rtsp
sink's transport tests: rtsp-server-perl takes UDP only.

usage: gst-rtsp-record-server.py PORT PATH OUTPUT.h264 [tcp|udp|any]
The last argument limits the transports it accepts (default any), so a test
can tell which one a publisher used.
Prints "listening PORT" once it accepts connections; each new publisher
overwrites OUTPUT; a publisher's TEARDOWN (or its vanishing) closes the file.
"""
import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtsp", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtsp, GstRtspServer  # noqa: E402

port, path, output = sys.argv[1], sys.argv[2], sys.argv[3]
allowed = sys.argv[4] if len(sys.argv) > 4 else "any"
protocols = {
    "tcp": GstRtsp.RTSPLowerTrans.TCP,
    "udp": GstRtsp.RTSPLowerTrans.UDP,
    "any": GstRtsp.RTSPLowerTrans.TCP | GstRtsp.RTSPLowerTrans.UDP,
}[allowed]
Gst.init(None)
server = GstRtspServer.RTSPServer()
server.set_address("127.0.0.1")
server.set_service(port)
factory = GstRtspServer.RTSPMediaFactory()
factory.set_transport_mode(GstRtspServer.RTSPTransportMode.RECORD)
factory.set_protocols(protocols)
factory.set_launch(
    "( rtph264depay name=depay0 ! h264parse config-interval=-1 "
    "! video/x-h264,stream-format=byte-stream,alignment=au "
    f"! filesink location={output} sync=false buffer-mode=unbuffered )"
)
server.get_mount_points().add_factory(f"/{path}", factory)
if server.attach(None) == 0:
    sys.exit(f"cannot listen on port {port}")
print(f"listening {port}", flush=True)
GLib.MainLoop().run()
