"""Placeholder until this page is built."""

import streamlit as st

from explorer.state import tr

st.title(tr("nav.one_step"))
