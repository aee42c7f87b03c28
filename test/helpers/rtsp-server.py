#!/usr/bin/python3
"""A live RTSP camera for tests: GStreamer's RTSP server serving a generated stream
at rtsp://127.0.0.1:PORT/test over TCP and UDP, optionally behind Basic auth.
Usage: rtsp-server.py PORT [h264|h265|mjpeg] [FPS] [USER PASSWORD]. Prints "ready" once listening."""
import sys
import gi
gi.require_version('Gst', '1.0')
gi.require_version('GstRtspServer', '1.0')
from gi.repository import Gst, GstRtspServer, GLib

Gst.init(None)
port, codec, fps, creds = sys.argv[1], (sys.argv[2:3] or ['h264'])[0], (sys.argv[3:4] or ['25'])[0], sys.argv[4:6]
raw = 'videotestsrc is-live=true pattern=ball ! video/x-raw,format=I420,width=320,height=240,framerate=' + fps + '/1'
encoders = {
    'h264': 'x264enc tune=zerolatency speed-preset=ultrafast key-int-max=' + fps + ' ! rtph264pay name=pay0 pt=96',
    'h265': 'x265enc tune=zerolatency speed-preset=ultrafast key-int-max=' + fps + ' ! rtph265pay name=pay0 pt=96',
    'mjpeg': 'jpegenc quality=60 ! rtpjpegpay name=pay0 pt=26',
}
server = GstRtspServer.RTSPServer()
server.set_address('127.0.0.1')
server.set_service(port)
factory = GstRtspServer.RTSPMediaFactory()
factory.set_launch(f'( {raw} ! {encoders[codec]} )')
factory.set_shared(True)  # the default protocols are UDP, multicast and TCP
if creds:
    auth = GstRtspServer.RTSPAuth()
    token = GstRtspServer.RTSPToken()
    token.set_string(GstRtspServer.RTSP_TOKEN_MEDIA_FACTORY_ROLE, 'user')
    auth.add_basic(GstRtspServer.RTSPAuth.make_basic(creds[0], creds[1]), token)
    server.set_auth(auth)
    permissions = GstRtspServer.RTSPPermissions()
    permissions.add_permission_for_role('user', GstRtspServer.RTSP_PERM_MEDIA_FACTORY_ACCESS, True)
    permissions.add_permission_for_role('user', GstRtspServer.RTSP_PERM_MEDIA_FACTORY_CONSTRUCT, True)
    factory.set_permissions(permissions)
server.get_mount_points().add_factory('/test', factory)
if server.attach(None) == 0:
    sys.exit(f'cannot listen on port {port}')
print('ready', flush=True)
GLib.MainLoop().run()
