"""Real dialog-info bodies shared by the dialog-info and pickup tests."""

# Kamailio (5.6, default parameters): pua_dialoginfo publishes the callee's side of a call 1002 -> 1003 that
# rings (include_tags: local-tag is the To-tag of the 180, remote-tag the caller's
# From-tag; the remote target is the caller's Contact), presence_dialoginfo aggregates
# it into the NOTIFY and writes the version over its placeholder, padding with spaces.
KAMAILIO_CALLEE_EARLY = b"""<?xml version="1.0"?>
<dialog-info xmlns="urn:ietf:params:xml:ns:dialog-info" version="1"           state="full" entity="sip:1003@127.0.0.1">
  <dialog id="padi-6567a1f3-53e1-1" call-id="a84b4c76e66710@127.0.0.1" local-tag="b-1003" remote-tag="a-1002" direction="recipient">
    <state>early</state>
    <remote>
      <identity>sip:1002@127.0.0.1</identity>
      <target uri="sip:1002@127.0.0.1:5080;transport=udp"/>
    </remote>
    <local>
      <identity>sip:1003@127.0.0.1</identity>
      <target uri="sip:1003@127.0.0.1:5090"/>
    </local>
  </dialog>
</dialog-info>
"""
