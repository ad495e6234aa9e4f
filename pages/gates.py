"""Watch the gates: type a sentence and see every gate of the shipped model, character by character."""

import streamlit as st

from explorer.state import get_model, tr

st.title(tr("nav.gates"))
text = st.text_input(tr("common.text"), "print('hello, world')")
model, error = get_model("LSTM")
if error:
    st.error(error)
elif not text:
    st.info(tr("common.empty_text"))
else:
    trace = model.run(text)
    st.write(model.describe(), trace.h.shape)
