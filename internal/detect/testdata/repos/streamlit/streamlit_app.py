import pandas as pd
import streamlit as st

st.title("Sales dashboard")
st.line_chart(pd.DataFrame({"sales": [1, 3, 2]}))
